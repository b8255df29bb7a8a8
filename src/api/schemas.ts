import { z } from 'zod';
import {
  ChangeStatusSchema,
  LicenceResultSchema,
  LicenceStatusSchema,
  LifecycleStateSchema,
  OnboardResultSchema,
  OnboardStatusSchema,
  PurchaseRequestSchema,
  PurchaseResultSchema,
  PurchaseStatusSchema,
  ReconcileReportSchema,
  SubscriptionChangeResultSchema,
} from '../client';
import { ProblemSchema } from './problems';

/** Schemas of the API's own envelopes; requests, results and statuses are the workflows' schemas as they are. */

/** A request id or workflow id in a path or the Idempotency-Key header: the contract's requestId rule. */
export const IdSchema = PurchaseRequestSchema.shape.requestId;

export const RequestIdParamsSchema = z.object({ requestId: IdSchema });

export const IdempotencyHeadersSchema = z.looseObject({
  'idempotency-key': IdSchema.optional().describe(
    "the request's requestId (upstream idempotency key): the same key never starts a second run",
  ),
});

export const StartedSchema = z
  .object({
    requestId: z.string().optional(),
    workflowId: z.string(),
    statusUrl: z.string().describe('GET it to follow the run'),
  })
  .describe('started: follow it at statusUrl');

const FailureSchema = z.object({ type: z.string(), message: z.string(), details: z.unknown().optional() });

/** What a run is doing (its status query) while it runs, its result or failure once closed. */
function runViewSchema<S extends z.ZodType, R extends z.ZodType>(kind: string, status: S | undefined, result: R) {
  return z
    .object({
      kind: z.literal(kind),
      workflowId: z.string(),
      label: z.string(),
      execution: z.string().describe("Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED…"),
      step: z.string().describe("the workflow's step while running; how it ended once closed"),
      startedAt: z.string(),
      closedAt: z.string().optional(),
      ...(status !== undefined ? { status: status.optional() } : {}),
      result: result.optional(),
      failure: FailureSchema.optional(),
    })
    .describe(`a ${kind}: its status while it runs, its result or failure once closed`);
}

export const PurchaseViewSchema = runViewSchema('purchase', PurchaseStatusSchema, PurchaseResultSchema);
export const ChangeViewSchema = runViewSchema('change', ChangeStatusSchema, SubscriptionChangeResultSchema);
export const ReconcileViewSchema = runViewSchema('reconcile', undefined, ReconcileReportSchema);
export const LifecycleViewSchema = runViewSchema('lifecycle', LifecycleStateSchema, LifecycleStateSchema);
export const OnboardViewSchema = runViewSchema('onboard', OnboardStatusSchema, OnboardResultSchema);
export const LicenceViewSchema = runViewSchema('licences', LicenceStatusSchema, LicenceResultSchema);
export type PurchaseView = z.infer<typeof PurchaseViewSchema>;
export type OnboardView = z.infer<typeof OnboardViewSchema>;
export type ChangeView = z.infer<typeof ChangeViewSchema>;
export type ReconcileView = z.infer<typeof ReconcileViewSchema>;
export type LifecycleView = z.infer<typeof LifecycleViewSchema>;
export type LicenceView = z.infer<typeof LicenceViewSchema>;

/** A subscription id in a path: a GUID, as Partner Center's are. */
export const SubscriptionIdParamsSchema = z.object({ subscriptionId: z.guid('must be a GUID') });

/** The problems a route may answer, for the OpenAPI document. */
export function problems(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries([...statuses, 401, 429].map((status) => [status, ProblemSchema]));
}
