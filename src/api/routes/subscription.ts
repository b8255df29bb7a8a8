import {
  subscriptionFailureTypes,
  subscriptionChangeWorkflowId,
  startSubscriptionChange,
  SubscriptionChangeRequestSchema,
  validateSubscriptionChangeRequest,
} from '../../client';
import { SELF_VALIDATED_BODY, type RouteModule } from '../app';
import { createRun, viewOf } from '../runs';
import { ChangeViewSchema, IdempotencyHeadersSchema, problems, RequestIdParamsSchema, StartedSchema } from '../schemas';

const statusUrl = (requestId: string) => `/v1/subscription-changes/${encodeURIComponent(requestId)}`;

/** `POST /v1/subscription-changes` and `GET /v1/subscription-changes/{requestId}`: changeSubscription over HTTP. */
export const subscriptionRoutes: RouteModule = (app, { client, taskQueue }) => {
  app.post(
    '/v1/subscription-changes',
    {
      // Changing a bought subscription (seats, cancel, transition) is an operator's act, as approve and cancel are.
      config: { role: 'operate', ...SELF_VALIDATED_BODY },
      schema: {
        operationId: 'createSubscriptionChange',
        summary:
          'Change a subscription: start changeSubscription, or answer with the change already started for this requestId',
        tags: ['subscription changes'],
        headers: IdempotencyHeadersSchema,
        body: SubscriptionChangeRequestSchema.partial({ requestId: true }).describe(
          'the change request (contract §3); requestId may be left out when the Idempotency-Key header gives it',
        ),
        response: { 202: StartedSchema, 200: ChangeViewSchema, ...problems(400, 403, 415) },
      },
    },
    async (request, reply) =>
      createRun(client, reply, {
        kind: 'change',
        what: 'change request',
        failureType: subscriptionFailureTypes.invalidRequest,
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        validate: validateSubscriptionChangeRequest,
        start: (change) => startSubscriptionChange(client, change, { taskQueue }),
        statusUrl,
      }),
  );

  app.get(
    '/v1/subscription-changes/:requestId',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getSubscriptionChange',
        summary: 'A subscription change: its status query while it runs, its result or failure once it ended',
        tags: ['subscription changes'],
        params: RequestIdParamsSchema,
        response: { 200: ChangeViewSchema, ...problems(400, 403, 404, 503) },
      },
    },
    async (request) =>
      viewOf(client, 'change', subscriptionChangeWorkflowId(request.params.requestId), request.params.requestId),
  );
};
