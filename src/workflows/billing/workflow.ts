import {
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { BillingActivities } from '../../activities/billing/activities';
import { runFailure } from '../common/run-failure';
import { recordedValidation, validationIsRecorded } from '../common/activity-options';
import { billingFailureTypes, billingRunFailures } from './failures';
import { describeReconcileProgress, periodBounds } from './rules';
import type {
  ExportRead,
  GraphExportCheckpoint,
  ReconcileContinuation,
  ReconcileReport,
  ReconcileRequest,
  ValidReconcileRequest,
} from './types';
import { PcCustomerId, PcStep } from '../common/search-attributes';
import { withWebhookEvents } from '../common/events';
import { invalidRequest } from '../common/validation';
import { billingSchemas } from '../common/schemas';

/**
 * One heartbeating activity reads and aggregates every line (see its comment for why). A worker that
 * dies is noticed within the heartbeat timeout and the retry resumes after the last page it heartbeated.
 * Two minutes: the longest quiet stretch between heartbeats is one Partner Center call (30 s timeout,
 * repeated once after a 401) or one customer's subscription and order lists, and the SDK sends
 * heartbeats at most once a minute. The overall deadline keeps a stuck run from blocking the schedule's
 * next one (its overlap policy skips while a run is open).
 */
const { reconcileUnbilledCharges } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '2m',
  scheduleToCloseTimeout: '6h',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/**
 * The Graph export: requesting it is one short activity whose result (the operation id) is recorded, so
 * nothing after it ever requests the same export again. Reading it is one heartbeating activity that
 * polls the operation (Retry-After, at most 30 s apart), then streams every blob and folds the lines into
 * per-subscription totals; its heartbeat carries the operation id and the blob and line to resume from.
 * It beats at least every poll, every second while streaming and per customer while matching, so a lost
 * worker is noticed within a minute. The lines never enter the history, but a large export still continues
 * as new (the issue asks it): the read stops after a segment of lines (a worker setting, 500,000 by default)
 * and answers its checkpoint, and the next run — same request, plus the export's operation id, bounds and
 * checkpoint as a second argument — reads on from there without requesting the export again. Each run's
 * history is a few activities; a tally too big for the checkpoint budget reads to the end in one run.
 * A retry of the request reuses the operation its crashed attempt heartbeated (see the activity).
 */
const { requestBillingExport } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 10 },
});
const { reconcileGraphExport } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '6h',
  heartbeatTimeout: '1m',
  scheduleToCloseTimeout: '12h',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/** Patch of the Graph export path: runs recorded before it read the v1 unbilled lines, and replay that way. */
const GRAPH_EXPORT_PATCH = 'billing-graph-export';
/** Patch of the segmented export read: runs recorded before it read the whole export in one run. */
const EXPORT_SEGMENTS_PATCH = 'billing-export-segments';

/**
 * Contract §3: the period's unbilled new-commerce charges against the customers' orders and subscriptions.
 * `continuation` is internal: only the run itself passes it when it continues as new (callers send the request only).
 */
export async function reconcileBilling(
  input: ReconcileRequest,
  continuation?: ReconcileContinuation,
): Promise<ReconcileReport> {
  return withWebhookEvents(() => new ReconcileRun().run(input, continuation), {
    succeeded: () => 'reconciliation.completed',
  });
}

type ReconcileStep = 'reconciling' | 'completed' | 'failed' | 'cancelled';

/** One reconciliation: validate, read and match in one activity (a Graph export: one per run), report. */
class ReconcileRun {
  async run(input: ReconcileRequest, continuation: ReconcileContinuation | undefined): Promise<ReconcileReport> {
    try {
      const request = await this.validate(input);
      this.setStep('reconciling');
      // Workflow time is replay-safe: the period's bounds are fixed once, in history.
      const now = new Date();
      const report =
        continuation !== undefined ||
        request.invoiceId !== undefined ||
        (request.source !== 'v1' && patched(GRAPH_EXPORT_PATCH))
          ? await this.readGraphExport(input, request, continuation ?? (await this.requestExport(request, now)))
          : {
              ...(await reconcileUnbilledCharges({
                ...request,
                // Validation requires both without an invoice id.
                currency: request.currency!,
                ...periodBounds(request.period!, now),
                asOf: now.toISOString(),
              })),
              source: 'v1' as const,
            };
      this.setStep('completed', report);
      log.info('reconciliation done', { lines: report.lines, matched: report.matched, ...report.totals });
      return report;
    } catch (err) {
      const failure = runFailure(err, billingRunFailures);
      this.setStep(isCancellation(err) ? 'cancelled' : 'failed', undefined, failure.message);
      throw failure;
    }
  }

  /** Requests the Graph export (its operation id recorded) and fixes what every run of its read works on. */
  private async requestExport(request: ValidReconcileRequest, now: Date): Promise<ExportRead> {
    const requested = await requestBillingExport(
      request.invoiceId !== undefined
        ? { invoiceId: request.invoiceId }
        : { period: request.period!, currency: request.currency! },
    );
    return {
      operationId: requested.operationId,
      bounds: requested.invoice ?? { currency: request.currency!, ...periodBounds(request.period!, now) },
      asOf: now.toISOString(),
    };
  }

  /** Reads the requested export from where the previous run stopped: to the report, or continuing as new after a segment. */
  private async readGraphExport(
    input: ReconcileRequest,
    request: ValidReconcileRequest,
    read: ExportRead & { checkpoint?: GraphExportCheckpoint },
  ): Promise<ReconcileReport> {
    const result = await reconcileGraphExport({
      ...request,
      ...read.bounds,
      asOf: read.asOf,
      operationId: read.operationId,
      ...(patched(EXPORT_SEGMENTS_PATCH) ? { segments: true } : {}),
      ...(read.checkpoint !== undefined ? { resumeFrom: read.checkpoint } : {}),
    });
    if ('done' in result) return this.continueReading(input, { ...read, checkpoint: result.checkpoint });
    return {
      ...result,
      source: 'graph',
      ...(request.invoiceId !== undefined ? { invoiceId: request.invoiceId } : {}),
      exportOperationId: read.operationId,
    };
  }

  /** Past a segment: the next run reads on from the checkpoint, with the same request and export. */
  private continueReading(input: ReconcileRequest, continuation: ReconcileContinuation): Promise<never> {
    log.info('continuing as new after a segment of the export', {
      linesRead: continuation.checkpoint.linesRead,
      blob: continuation.checkpoint.blob,
    });
    return continueAsNew<typeof reconcileBilling>(input, continuation);
  }

  private async validate(input: ReconcileRequest): Promise<ValidReconcileRequest> {
    // Recorded (a local activity), so a schema edit never changes the request a started run works on.
    const validation = validationIsRecorded()
      ? await recordedValidation.normaliseReconcileRequest(input)
      : billingSchemas().validateReconcileRequest(input);
    if (!validation.ok)
      throw invalidRequest(billingFailureTypes.invalidRequest, 'reconcile request', validation.problems);
    const request = validation.request;
    if (request.customerId !== undefined) upsertSearchAttributes([{ key: PcCustomerId, value: request.customerId }]);
    return request;
  }

  private setStep(step: ReconcileStep, report?: ReconcileReport, error?: string): void {
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    setCurrentDetails(describeReconcileProgress(step, report, error));
  }
}
