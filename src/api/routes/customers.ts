import {
  onboardFailureTypes,
  OnboardRequestSchema,
  onboardWorkflowId,
  startOnboarding,
  validateOnboardRequest,
} from '../../client';
import { SELF_VALIDATED_BODY, type RouteModule } from '../app';
import { createRun, viewOf } from '../runs';
import {
  IdempotencyHeadersSchema,
  OnboardViewSchema,
  problems,
  RequestIdParamsSchema,
  StartedSchema,
} from '../schemas';

const statusUrl = (requestId: string) => `/v1/customers/${encodeURIComponent(requestId)}`;

/** `POST /v1/customers` and `GET /v1/customers/{requestId}`: onboardCustomer over HTTP (contract §3b, v3). */
export const customerRoutes: RouteModule = (app, { client, taskQueue }) => {
  app.post(
    '/v1/customers',
    {
      config: { role: 'submit', ...SELF_VALIDATED_BODY },
      schema: {
        operationId: 'createOnboarding',
        summary:
          'Onboard a customer: start onboardCustomer, or answer with the onboarding already started for this requestId',
        tags: ['customers'],
        headers: IdempotencyHeadersSchema,
        body: OnboardRequestSchema.describe(
          'the onboarding request (contract §3); requestId may be left out when the Idempotency-Key header gives it',
        ),
        response: { 202: StartedSchema, 200: OnboardViewSchema, ...problems(400, 403, 415) },
      },
    },
    async (request, reply) =>
      createRun(client, reply, {
        kind: 'onboard',
        what: 'onboard request',
        failureType: onboardFailureTypes.invalidRequest,
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        validate: validateOnboardRequest,
        start: (onboarding) => startOnboarding(client, onboarding, { taskQueue }),
        statusUrl,
      }),
  );

  app.get(
    '/v1/customers/:requestId',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getOnboarding',
        summary:
          'An onboarding: its status (with the links the customer must open) while it runs, its result or failure once it ended',
        tags: ['customers'],
        params: RequestIdParamsSchema,
        response: { 200: OnboardViewSchema, ...problems(400, 403, 404, 503) },
      },
    },
    async (request) => viewOf(client, 'onboard', onboardWorkflowId(request.params.requestId), request.params.requestId),
  );
};
