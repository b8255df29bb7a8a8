import {
  approvePurchase,
  CallbackUrlNotAllowedError,
  ApproveArgsSchema,
  CancelAcknowledgementSchema,
  CancelArgsSchema,
  describeInvalid,
  cancelPurchase,
  purchaseFailureTypes,
  purchaseWorkflowId,
  PurchaseRequestSchema,
  PurchaseStatusSchema,
  rejectPurchase,
  RejectArgsSchema,
  startPurchase,
  validatePurchaseRequest,
} from '../../client';
import { SELF_VALIDATED_BODY, type ApiApp, type RouteDeps, type RouteModule } from '../app';
import { InvalidRequestError } from '../problems';
import { createRun, updateProblem, viewOf } from '../runs';
import { z } from 'zod';
import {
  IdempotencyHeadersSchema,
  problems,
  PurchaseViewSchema,
  RequestIdParamsSchema,
  StartedSchema,
} from '../schemas';

const statusUrl = (requestId: string) => `/v1/purchases/${encodeURIComponent(requestId)}`;

/**
 * The body's callbackUrl (the API's own field, not the workflow's) taken out before the workflow's validation; one
 * that is not a string is left in, so the validation names it as a field the request may not have.
 */
function withoutCallbackUrl(body: unknown): { body: unknown; callbackUrl?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { body };
  const { callbackUrl, ...rest } = body as { callbackUrl?: unknown };
  return typeof callbackUrl === 'string' ? { body: rest, callbackUrl } : { body };
}

/** `POST /v1/purchases`, `GET /v1/purchases/{requestId}` and its approve, reject and cancel updates. */
export const purchaseRoutes: RouteModule = (app, deps) => {
  createPurchaseRoute(app, deps);
  purchaseViewRoute(app, deps);
  decisionRoutes(app, deps);
};

function createPurchaseRoute(app: ApiApp, { client, taskQueue, callbackOrigins }: RouteDeps): void {
  app.post(
    '/v1/purchases',
    {
      config: { role: 'submit', ...SELF_VALIDATED_BODY },
      schema: {
        operationId: 'createPurchase',
        summary: 'Buy: start purchaseSubscription, or answer with the purchase already started for this requestId',
        tags: ['purchases'],
        headers: IdempotencyHeadersSchema,
        // The request's fields (its cross-field rules are the validation's, which runs in the route).
        body: z
          .strictObject({
            ...PurchaseRequestSchema.shape,
            requestId: PurchaseRequestSchema.shape.requestId.optional(),
            callbackUrl: z
              .string()
              .optional()
              .describe(
                "where this purchase's events are also delivered (signed as every event); its origin must be one of PCW_WEBHOOK_ALLOWED_ORIGINS",
              ),
          })
          .describe(
            'the purchase request (contract §3) and an optional callbackUrl; requestId may be left out when the Idempotency-Key header gives it',
          ),
        response: { 202: StartedSchema, 200: PurchaseViewSchema, ...problems(400, 403, 415) },
      },
    },
    async (request, reply) => {
      const { body, callbackUrl } = withoutCallbackUrl(request.body);
      return createRun(client, reply, {
        kind: 'purchase',
        what: 'purchase request',
        failureType: purchaseFailureTypes.invalidRequest,
        body,
        idempotencyKey: request.headers['idempotency-key'],
        validate: validatePurchaseRequest,
        start: async (purchase) => {
          try {
            const callback =
              callbackUrl === undefined ? undefined : { url: callbackUrl, allowedOrigins: callbackOrigins };
            return await startPurchase(client, purchase, { taskQueue, callback });
          } catch (error) {
            // startPurchase refuses an origin PCW_WEBHOOK_ALLOWED_ORIGINS does not list before starting anything.
            if (!(error instanceof CallbackUrlNotAllowedError)) throw error;
            const errors = [{ field: 'callbackUrl', problem: error.message.replace(/^callbackUrl: /, '') }];
            throw new InvalidRequestError(
              purchaseFailureTypes.invalidRequest,
              describeInvalid('purchase request', errors),
              errors,
            );
          }
        },
        statusUrl,
      });
    },
  );
}

function purchaseViewRoute(app: ApiApp, { client }: RouteDeps): void {
  app.get(
    '/v1/purchases/:requestId',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getPurchase',
        summary: 'A purchase: its status query while it runs, its result or failure once it ended',
        tags: ['purchases'],
        params: RequestIdParamsSchema,
        response: { 200: PurchaseViewSchema, ...problems(400, 403, 404, 503) },
      },
    },
    async (request) =>
      viewOf(client, 'purchase', purchaseWorkflowId(request.params.requestId), request.params.requestId),
  );
}

/** approve, reject and cancel: an operator's updates of a running purchase. */
function decisionRoutes(app: ApiApp, { client }: RouteDeps): void {
  const decision = { role: 'operate' as const };
  app.post(
    '/v1/purchases/:requestId/approve',
    {
      config: decision,
      schema: {
        operationId: 'approvePurchase',
        summary: 'Approve a purchase waiting in step awaiting-approval',
        tags: ['purchases'],
        params: RequestIdParamsSchema,
        body: ApproveArgsSchema,
        response: { 200: PurchaseStatusSchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request) =>
      decide(request.params.requestId, () => approvePurchase(client, request.params.requestId, request.body)),
  );
  app.post(
    '/v1/purchases/:requestId/reject',
    {
      config: decision,
      schema: {
        operationId: 'rejectPurchase',
        summary: 'Reject a purchase waiting in step awaiting-approval: it fails with Rejected, nothing is bought',
        tags: ['purchases'],
        params: RequestIdParamsSchema,
        body: RejectArgsSchema,
        response: { 200: PurchaseStatusSchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request) =>
      decide(request.params.requestId, () => rejectPurchase(client, request.params.requestId, request.body)),
  );
  app.post(
    '/v1/purchases/:requestId/cancel',
    {
      config: decision,
      schema: {
        operationId: 'cancelPurchase',
        summary:
          'Cancel a purchase: before checkout nothing is bought; after it, what it bought is cancelled while the 168-hour window allows',
        tags: ['purchases'],
        params: RequestIdParamsSchema,
        body: CancelArgsSchema,
        response: { 200: CancelAcknowledgementSchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request) =>
      decide(request.params.requestId, () => cancelPurchase(client, request.params.requestId, request.body)),
  );
}

/** A client update of a purchase: 404 when there is none, 409 when it has ended or the workflow refuses. */
async function decide<T>(requestId: string, update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (error) {
    // A purchase's refusals are plain validator errors (UpdateRejected): 409, as an ended purchase.
    throw updateProblem(error, 'purchase', requestId);
  }
}
