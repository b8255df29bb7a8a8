import {
  describeInvalid,
  billingFailureTypes,
  ReconcileRequestSchema,
  startBillingReconciliation,
  validateReconcileRequest,
} from '../../client';
import { SELF_VALIDATED_BODY, type RouteModule } from '../app';
import { InvalidRequestError } from '../problems';
import { answerStart, viewOf } from '../runs';
import { IdempotencyHeadersSchema, IdSchema, problems, ReconcileViewSchema, StartedSchema } from '../schemas';
import { z } from 'zod';

const statusUrl = (id: string) => `/v1/reconciliations/${encodeURIComponent(id)}`;

/** `POST /v1/reconciliations` and `GET /v1/reconciliations/{id}`: one reconcileBilling run now, and its report. */
export const billingRoutes: RouteModule = (app, { client, taskQueue }) => {
  app.post(
    '/v1/reconciliations',
    {
      config: { role: 'submit', ...SELF_VALIDATED_BODY },
      schema: {
        operationId: 'createReconciliation',
        summary:
          'Reconcile billing now: start one reconcileBilling run (its id is in the answer), or answer with the one already started for this Idempotency-Key',
        tags: ['reconciliations'],
        headers: IdempotencyHeadersSchema,
        body: ReconcileRequestSchema,
        response: { 202: StartedSchema, 200: ReconcileViewSchema, ...problems(400, 403, 415) },
      },
    },
    async (request, reply) => {
      // Checked here, not left to the run: a bad request is refused before anything is started.
      const validation = validateReconcileRequest(request.body);
      if (!validation.ok)
        throw new InvalidRequestError(
          billingFailureTypes.invalidRequest,
          describeInvalid('reconcile request', validation.problems),
          validation.problems,
        );
      // Without a key, a new run with a timestamped id each time (as before keys existed).
      const requestId = request.headers['idempotency-key'];
      const handle = await startBillingReconciliation(client, validation.request, { taskQueue, requestId });
      return answerStart(client, reply, 'reconcile', handle, { requestId, statusUrl: statusUrl(handle.workflowId) });
    },
  );

  app.get(
    '/v1/reconciliations/:id',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getReconciliation',
        summary: 'A reconciliation: running, or its report or failure once it ended',
        tags: ['reconciliations'],
        params: z.object({ id: IdSchema.describe('the workflow id POST /v1/reconciliations answered with') }),
        response: { 200: ReconcileViewSchema, ...problems(400, 403, 404, 503) },
      },
    },
    async (request) => viewOf(client, 'reconcile', request.params.id, request.params.id),
  );
};
