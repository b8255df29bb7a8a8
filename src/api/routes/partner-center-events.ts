import { z } from 'zod';
import { PartnerCenterEventSchema, startPartnerCenterEvent, validateWith, describeInvalid } from '../../client';
import type { ApiApp, RouteModule } from '../app';
import { InvalidRequestError, ProblemError } from '../problems';
import { verifyPartnerCenterSignature } from '../partner-center-events/signature';
import { problems } from '../schemas';

/** Partner Center's events are small (five short fields): anything far larger is refused before it is read whole. */
export const PARTNER_CENTER_EVENT_MAX_BYTES = 64 * 1024;

/**
 * Partner Center delivers every partner's events from a few addresses, in bursts (a flood of 1,000 in a minute is
 * expected): its route allows ten times the API's per-address limit, so a burst is answered 202, not 429 (which
 * Partner Center would retry only about ten times). A refused signature costs one RSA verification.
 */
export const PARTNER_CENTER_EVENTS_PER_MINUTE = 6_000;

/** Where Partner Center's webhook registration points (`pcw pc-webhooks register --url https://<host>` + this). */
export const PARTNER_CENTER_EVENTS_PATH = '/v1/partner-center/events';

const EventAcceptedSchema = z.object({
  workflowId: z.string(),
  /** false: a previous delivery of the same event started it (running or done); nothing more is done. */
  newlyStarted: z.boolean(),
});

/**
 * `POST /v1/partner-center/events` (contract §3f): Partner Center's webhook. No bearer token: the signature is the
 * authentication (partner-center-events/signature.ts), checked over the raw bytes of the body, which is why the
 * route lives in a scope of its own whose body parser keeps them (any media type: the signature decides).
 */
export const partnerCenterEventRoutes: RouteModule = (app, deps) => {
  void app.register(async (scope: ApiApp) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: PARTNER_CENTER_EVENT_MAX_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      PARTNER_CENTER_EVENTS_PATH,
      {
        config: {
          selfValidatedBody: true,
          signedBy: 'partner-center',
          rateLimit: { max: PARTNER_CENTER_EVENTS_PER_MINUTE, timeWindow: '1 minute' },
        },
        schema: {
          operationId: 'receivePartnerCenterEvent',
          summary: 'A Partner Center webhook event, authenticated by its signature: 202 once its workflow is started',
          tags: ['partner center events'],
          security: [],
          body: PartnerCenterEventSchema,
          response: { 202: EventAcceptedSchema, ...problems(400, 413) },
        },
      },
      async (request, reply) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const verdict = await verifyPartnerCenterSignature(
          { headers: request.headers, rawBody },
          deps.partnerCenterEvents,
        );
        if (!verdict.ok) {
          request.log.warn({ check: verdict.check, reason: verdict.reason }, 'Partner Center event refused');
          throw new ProblemError(401, 'Unauthorized', `the event's signature was refused (${verdict.check})`);
        }
        const handle = await startPartnerCenterEvent(deps.client, eventOf(rawBody), { taskQueue: deps.taskQueue });
        return reply.code(202).send({ workflowId: handle.workflowId, newlyStarted: handle.newlyStarted });
      },
    );
  });
};

/** The signed body as an event; 400 naming the bad fields when it is no event (authentic, but not ours to act on). */
function eventOf(rawBody: Buffer): z.output<typeof PartnerCenterEventSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ProblemError(400, 'InvalidRequest', 'the body is not JSON');
  }
  const validation = validateWith(PartnerCenterEventSchema, parsed);
  if (!validation.ok)
    throw new InvalidRequestError('InvalidRequest', describeInvalid('event', validation.problems), validation.problems);
  return validation.request;
}
