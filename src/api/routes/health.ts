import { z } from 'zod';
import type { RouteModule } from '../app';
import { problems } from '../schemas';

/** How long readiness waits for Temporal before saying it is not reachable. */
const READY_TIMEOUT_MS = 2_000;

const HealthSchema = z.object({ ok: z.boolean(), temporal: z.string().optional() });

/** `GET /healthz` (the process answers) and `GET /readyz` (Temporal answers too): public, for load balancers. */
export const healthRoutes: RouteModule = (app, { client }) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'The API process is up',
        tags: ['health'],
        response: { 200: HealthSchema, ...problems(429) },
      },
    },
    async () => ({ ok: true }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Temporal is reachable: 200 when it answers, 503 when not',
        tags: ['health'],
        response: { 200: HealthSchema, 503: HealthSchema, ...problems(429) },
      },
    },
    async (_request, reply) => {
      try {
        await client.connection.withDeadline(Date.now() + READY_TIMEOUT_MS, () =>
          client.workflowService.getSystemInfo({}),
        );
        return { ok: true, temporal: 'reachable' };
      } catch (error) {
        return reply
          .code(503)
          .send({ ok: false, temporal: `unreachable: ${(error as Error).message.split('\n', 1)[0]}` });
      }
    },
  );
};
