import {
  PurchaseRequestSchema,
  purchaseFailureTypes,
  quotePurchaseRequest,
  QuoteSchema,
  RunFailure,
} from '../../client';
import { SELF_VALIDATED_BODY, type RouteModule } from '../app';
import { InvalidRequestError, ProblemError } from '../problems';
import { problems } from '../schemas';

/** Failures of a quote that are the request's, not the service's: the catalog or the sheet cannot price it. */
const UNPRICEABLE = new Set<string>([
  purchaseFailureTypes.catalogItemNotFound,
  purchaseFailureTypes.offerNotPurchasable,
  purchaseFailureTypes.currencyMismatch,
  purchaseFailureTypes.priceNotFound,
]);

/**
 * `POST /v1/quotes` (contract §3g): the body of a purchase, validated as a purchase is, answered with its quote. The
 * worker prices it (quotePurchase, docs/http-api.md): nothing is bought, no cart is created.
 */
export const quoteRoutes: RouteModule = (app, { client, taskQueue }) => {
  app.post(
    '/v1/quotes',
    {
      config: { role: 'read', ...SELF_VALIDATED_BODY },
      schema: {
        operationId: 'createQuote',
        summary: 'Quote: what a purchase request would cost, from the market price sheet; nothing is bought',
        tags: ['purchases'],
        body: PurchaseRequestSchema.describe('a purchase request (contract §3), validated as a purchase is'),
        response: { 200: QuoteSchema, ...problems(400, 403, 415, 422, 503) },
      },
    },
    async (request) => {
      try {
        return await quotePurchaseRequest(client, request.body as never, { taskQueue });
      } catch (error) {
        throw quoteProblem(error);
      }
    },
  );
};

function quoteProblem(error: unknown): unknown {
  if (!(error instanceof RunFailure)) return error;
  if (error.type === purchaseFailureTypes.invalidRequest)
    return new InvalidRequestError(error.type, error.message, (error.details ?? []) as never);
  const status = UNPRICEABLE.has(error.type) ? 422 : 503;
  return new ProblemError(status, error.type, error.message, { details: error.details });
}
