import { z } from 'zod';
import { validateWith, type Validation } from '../common/validation';

/**
 * Contract §3 data of `reconcileBilling` and what its activity exchanges with it.
 * Pure zod: imported by the workflow bundle, the activities and upstream clients alike.
 */

/** The billing delay assumed when a request names none. */
export const DEFAULT_BILLING_DELAY_HOURS = 24;
const MAX_BILLING_DELAY_HOURS = 168;

export const ReconcilePeriodSchema = z.enum(['current', 'previous']);
export type ReconcilePeriod = z.infer<typeof ReconcilePeriodSchema>;

/** Where unbilled lines are read: Microsoft Graph's asynchronous export (the default), or the v1 line items. */
export const ReconcileSourceSchema = z.enum(['graph', 'v1']);
export type ReconcileSource = z.infer<typeof ReconcileSourceSchema>;

/** Billed (`invoiceId`, through the Graph billed export) or unbilled (`period` and `currency`): contract §3. */
export const ReconcileRequestSchema = z
  .strictObject({
    /** A billed invoice (e.g. G000024135): its new-commerce lines through Microsoft Graph's billed export. */
    invoiceId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an invoice id such as G000024135 (letters, digits and -)')
      .optional(),
    /** Partner Center's unbilled periods: this calendar month so far, or the last one (UTC). */
    period: ReconcilePeriodSchema.optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as USD')
      .transform((c) => c.toUpperCase())
      .optional(),
    /** Unbilled only; absent means 'graph'. */
    source: ReconcileSourceSchema.optional(),
    /** One customer tenant; without it every customer of the partner, and any other that has lines in the period. */
    customerId: z
      .guid('must be a GUID')
      .transform((id) => id.toLowerCase())
      .optional(),
    /**
     * How long Partner Center may take to bill a purchase or seat change (DEFAULT_BILLING_DELAY_HOURS when
     * absent; its real delay is hours, up to days, and not documented). Younger ones count as unverified, not missing.
     */
    billingDelayHours: z
      .number()
      .min(0, 'must be at least 0 hours')
      .max(MAX_BILLING_DELAY_HOURS, `must be at most ${MAX_BILLING_DELAY_HOURS} hours (7 days)`)
      .optional(),
  })
  .superRefine((request, ctx) => {
    if (request.invoiceId !== undefined) {
      for (const field of ['period', 'currency', 'source'] as const)
        if (request[field] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message:
              'must be absent with invoiceId (a billed invoice has its own period and currency, read through Microsoft Graph)',
          });
      return;
    }
    if (request.period === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        input: undefined, // a missing field: no "(got …)" of the whole request
        message: "is required ('current' or 'previous') unless invoiceId names a billed invoice",
      });
    if (request.currency === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['currency'],
        input: undefined,
        message: 'is required (an ISO 4217 code such as USD) unless invoiceId names a billed invoice',
      });
  });
/** What callers send. */
export type ReconcileRequest = z.input<typeof ReconcileRequestSchema>;
/** The request after validation (currency upper case, customer id lower case). */
export type ValidReconcileRequest = z.output<typeof ReconcileRequestSchema>;

/** Validates without throwing (a workflow task must never fail on bad input); names every bad field. */
export function validateReconcileRequest(input: unknown): Validation<ValidReconcileRequest> {
  return validateWith(ReconcileRequestSchema, input);
}

/** One thing an operator has to look at: who, which subscription and order, what was billed and what was expected. */
export const ReconcileFindingSchema = z.object({
  customerId: z.string(),
  customerName: z.string().optional(),
  subscriptionId: z.string(),
  orderId: z.string().optional(),
  /** Product / SKU name (or the offer id when Partner Center gave no name). */
  offer: z.string().optional(),
  /** Charge types billed for the subscription in the period; for a missing charge, the one expected. */
  chargeTypes: z.array(z.string()),
  /** Seats the subscription should have been charged for in the period (net of refunds); absent when unknown. */
  expectedQuantity: z.number().optional(),
  /** Net seats charged in the period (credits count negative). */
  billedQuantity: z.number(),
  /** Sum of the line subtotals (before tax), in the report's currency. */
  billedAmount: z.number(),
  /** What the expected seats cost (unit price × seats, or the order line's price); absent when unknown. */
  expectedAmount: z.number().optional(),
  reason: z.string(),
});
export type ReconcileFinding = z.infer<typeof ReconcileFindingSchema>;

export const ChargeTypeTotalsSchema = z.object({ lines: z.number().int(), quantity: z.number(), amount: z.number() });

export const ReconcileReportSchema = z.object({
  /** The unbilled period; absent for a billed invoice (its dates are periodStart and periodEnd). */
  period: ReconcilePeriodSchema.optional(),
  currency: z.string(),
  /** Where the lines came from; absent from older workers' reports (which read v1). */
  source: ReconcileSourceSchema.optional(),
  invoiceId: z.string().optional(),
  /** The Microsoft Graph export operation the lines were read from. */
  exportOperationId: z.string().optional(),
  customerId: z.string().optional(),
  /** The period's first day and the day after its last (UTC dates). */
  periodStart: z.string(),
  periodEnd: z.string(),
  /** Reconciliation line items read for the request's customers. */
  lines: z.number().int(),
  /** Subscriptions whose charges match their orders and current seats. */
  matched: z.number().int(),
  /** Capped lists (largest amounts first); `totals` has the full counts. */
  unexpectedCharges: z.array(ReconcileFindingSchema),
  missingCharges: z.array(ReconcileFindingSchema),
  quantityMismatches: z.array(ReconcileFindingSchema),
  /** Why subscriptions could not be checked (capped like the others; `unverified` counts them all). Absent from older workers' reports. */
  unverifiedCharges: z.array(ReconcileFindingSchema).default([]),
  totals: z.object({
    unexpectedCharges: z.number().int(),
    missingCharges: z.number().int(),
    quantityMismatches: z.number().int(),
  }),
  customers: z.number().int(),
  /** Subscriptions billed in the period. */
  subscriptions: z.number().int(),
  /**
   * Subscriptions that could not be checked: bought, renewed or changed within the billing delay (not
   * billed yet), order not listed yet (Partner Center's list lags), or renewed since a past period.
   */
  unverified: z.number().int(),
  billedAmount: z.number(),
  chargeTypes: z.record(z.string(), ChargeTypeTotalsSchema),
});
export type ReconcileReport = z.infer<typeof ReconcileReportSchema>;

/** Input of the reconciliation activities: the request plus the period's bounds and currency, fixed by the workflow. */
export interface ReconcileInput extends Omit<ValidReconcileRequest, 'currency'> {
  currency: string;
  /** Inclusive start and exclusive end of the period, ISO timestamps (UTC month boundaries). */
  periodStart: string;
  periodEnd: string;
  /** When the workflow started reading: billing cycles due after it are not expected yet. */
  asOf: string;
}

/** What the export activity asks Microsoft Graph for. */
export type BillingExportRequest = { invoiceId: string } | { period: ReconcilePeriod; currency: string };

/** A requested export: its operation (poll it, never request it again) and, for an invoice, its period and currency. */
export interface BillingExport {
  operationId: string;
  invoice?: { periodStart: string; periodEnd: string; currency: string };
}

/** Where a read of a Graph export resumes: the same operation, the blob and line to read next, the totals before them. */
export interface GraphExportCheckpoint {
  operationId: string;
  blob: number;
  line: number;
  /** The BillingTallySnapshot of the lines before, gzip JSON in base64 (within the activity's checkpoint budget). */
  tally: string;
  /** Lines of every customer read before it: where a segment of the read ends. Absent from older workers' checkpoints. */
  linesRead?: number;
}

/** Input of the export-reading activity: the reconciliation plus the export's operation id. */
export interface GraphReconcileInput extends ReconcileInput {
  operationId: string;
  /**
   * Set by runs that continue-as-new: the read may then stop after a segment of lines and answer an
   * UnfinishedExportRead instead of the report. Without it (runs recorded before) it reads to the end.
   */
  segments?: boolean;
  /** Where the previous run's read stopped. */
  resumeFrom?: GraphExportCheckpoint;
}

/** The read stopped after a segment: the run continues as new from the checkpoint. */
export interface UnfinishedExportRead {
  done: false;
  checkpoint: GraphExportCheckpoint;
}

/** A requested export and what every run of its read works on: the period's bounds and currency, and `asOf`. */
export interface ExportRead {
  operationId: string;
  bounds: { periodStart: string; periodEnd: string; currency: string };
  asOf: string;
}

/**
 * What a reconciliation carries to its next run (continue-as-new) besides the caller's request: the export
 * already requested (never again), what the first run fixed, and where the read resumes.
 */
export interface ReconcileContinuation extends ExportRead {
  checkpoint: GraphExportCheckpoint;
}

/** Partner Center's clock (the `Date` of its answers; it stamped the orders) and the billing delay measured on it. */
export interface BillingClock {
  now: string;
  delayHours: number;
}

/** What one subscription was charged in the period, folded from its lines. */
export const BilledSubscriptionSchema = z.object({
  customerId: z.string(),
  customerName: z.string().optional(),
  /** '' when the lines named no subscription. */
  subscriptionId: z.string(),
  orderId: z.string().optional(),
  offer: z.string().optional(),
  /** Net seats per charge type. */
  charges: z.record(z.string(), z.number()),
  /** The latest day with seat-billing charges (term start, cycle) and their seats. */
  billedOn: z.object({ day: z.string(), seats: z.number() }).optional(),
  /** Net seat additions (+) and credits (−) per day, from `billedOn`'s day on (earlier ones no longer count). */
  changes: z.array(z.object({ day: z.string(), seats: z.number() })),
  /** Sum of subtotals. */
  amount: z.number(),
  unitPrice: z.number().optional(),
  lines: z.number().int(),
});
export type BilledSubscription = z.infer<typeof BilledSubscriptionSchema>;

/** The running totals of the lines read so far, as plain data (the tally's map as its entries). */
export const BillingTallySnapshotSchema = z.object({
  lines: z.number().int(),
  amount: z.number(),
  chargeTypes: z.record(z.string(), ChargeTypeTotalsSchema),
  bySubscription: z.array(z.tuple([z.string(), BilledSubscriptionSchema])),
});
export type BillingTallySnapshot = z.infer<typeof BillingTallySnapshotSchema>;
