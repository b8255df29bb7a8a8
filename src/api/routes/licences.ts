import {
  licenceFailureTypes,
  licenceWorkflowId,
  LicenceRequestSchema,
  startLicenceAssignment,
  validateLicenceRequest,
} from '../../client';
import { SELF_VALIDATED_BODY, type RouteModule } from '../app';
import { createRun, viewOf } from '../runs';
import { IdempotencyHeadersSchema, LicenceViewSchema, problems, StartedSchema } from '../schemas';
import { z } from 'zod';

const statusUrl = (requestId: string) => `/v1/licence-assignments/${encodeURIComponent(requestId)}`;

/** `POST /v1/licence-assignments` and `GET /v1/licence-assignments/{requestId}`: assignLicences over HTTP. */
export const licenceRoutes: RouteModule = (app, { client, taskQueue }) => {
  app.post(
    '/v1/licence-assignments',
    {
      // Giving users licences the customer bought is part of provisioning, as a purchase is: the submit role.
      config: { role: 'submit', ...SELF_VALIDATED_BODY },
      schema: {
        operationId: 'createLicenceAssignment',
        summary:
          "Assign or remove a subscription's licences in the customer's tenant: start assignLicences, or answer with the one already started for this requestId",
        tags: ['licence assignments'],
        headers: IdempotencyHeadersSchema,
        body: LicenceRequestSchema.partial({ requestId: true }).describe(
          'the licence request (contract §3); requestId may be left out when the Idempotency-Key header gives it',
        ),
        response: { 202: StartedSchema, 200: LicenceViewSchema, ...problems(400, 403, 415) },
      },
    },
    async (request, reply) =>
      createRun(client, reply, {
        kind: 'licences',
        what: 'licence request',
        failureType: licenceFailureTypes.invalidRequest,
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        validate: validateLicenceRequest,
        start: (licences) => startLicenceAssignment(client, licences, { taskQueue }),
        statusUrl,
      }),
  );

  app.get(
    '/v1/licence-assignments/:requestId',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getLicenceAssignment',
        summary:
          'A licence assignment: its status query while it runs, each user’s outcome or its failure once it ended',
        tags: ['licence assignments'],
        params: z.object({ requestId: LicenceRequestSchema.shape.requestId }),
        response: { 200: LicenceViewSchema, ...problems(400, 403, 404, 503) },
      },
    },
    async (request) =>
      viewOf(client, 'licences', licenceWorkflowId(request.params.requestId), request.params.requestId),
  );
};
