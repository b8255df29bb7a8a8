import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { z } from 'zod';
import {
  isPartnerCenterError,
  PartnerCenterNotFoundError,
  type GraphBillingClient,
  type PartnerCenterClient,
} from '../../partner-center';
import { billingFailureTypes } from '../../workflows/billing/failures';
import type { BillingExport, BillingExportRequest } from '../../workflows/billing/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import { graphClientOf, type BillingActivityDeps } from './deps';

/**
 * Requests the Microsoft Graph export (billed: of the invoice; unbilled: of the period and currency) and
 * answers its operation id, which the workflow records: nothing after it requests the export again.
 * For an invoice also its billing period and currency, which the matching needs.
 *
 * The operation is heartbeated as soon as Graph accepts the request, so a retry after a crash before the
 * workflow recorded it (a lost worker, a timeout) reuses that export — unless Graph no longer knows it or
 * it failed — instead of requesting a second one. What remains: an acceptance lost in transit (the 202
 * never reaching us, or the worker dying before its heartbeat was sent) still leads to a second export,
 * since Graph takes no idempotency key for export requests.
 */
export async function requestBillingExport(
  deps: Pick<BillingActivityDeps, 'partnerCenter' | 'graph'>,
  request: BillingExportRequest,
): Promise<BillingExport> {
  try {
    const graph = graphClientOf(deps);
    const previous = await stillUsableExport(graph, activityInfo().heartbeatDetails);
    if (previous !== undefined) return previous;
    const invoice = 'invoiceId' in request ? await invoicePeriod(deps.partnerCenter, request.invoiceId) : undefined;
    const { operationId } = await graph.requestExport(
      'invoiceId' in request
        ? { kind: 'billed', invoiceId: request.invoiceId }
        : {
            kind: 'unbilled',
            billingPeriod: request.period === 'previous' ? 'last' : 'current',
            currencyCode: request.currency,
          },
      { signal: cancellationSignal() },
    );
    const requested: BillingExport = { operationId, ...(invoice !== undefined ? { invoice } : {}) };
    heartbeat(requested);
    return requested;
  } catch (err) {
    throw toActivityFailure(err, billingFailureTypes.reconciliationFailed);
  }
}

/** The invoice's billing period ([start, day after end)) and currency, from the invoice list (App-only can read it). */
async function invoicePeriod(
  pc: PartnerCenterClient,
  invoiceId: string,
): Promise<NonNullable<BillingExport['invoice']>> {
  for await (const invoice of pc.listInvoices({}, readOptions())) {
    if (invoice.id.toUpperCase() !== invoiceId.toUpperCase()) continue;
    const start = Date.parse(invoice.billingPeriodStartDate ?? '');
    const end = Date.parse(invoice.billingPeriodEndDate ?? '');
    if (Number.isNaN(start) || Number.isNaN(end)) break;
    return {
      periodStart: new Date(start).toISOString(),
      periodEnd: new Date(end + 24 * 3_600_000).toISOString(),
      currency: (invoice.currencyCode ?? 'USD').toUpperCase(),
    };
  }
  throw new PartnerCenterNotFoundError({
    status: 404,
    description: `Invoice ${invoiceId} is not among the partner's invoices (or has no billing period)`,
  });
}

/** The export a previous attempt of requestBillingExport heartbeated (BillingExport). */
const RequestedExportSchema = z.object({
  operationId: z.string(),
  invoice: z.object({ periodStart: z.string(), periodEnd: z.string(), currency: z.string() }).optional(),
});

/**
 * The export a previous attempt requested, if it heartbeated one and Graph still has it, running or done; a
 * failed or unknown operation (expired, another tenant's) means requesting anew.
 */
async function stillUsableExport(graph: GraphBillingClient, details: unknown): Promise<BillingExport | undefined> {
  const previous = RequestedExportSchema.safeParse(details).data;
  if (previous === undefined) return undefined;
  try {
    const state = await graph.getExportOperation(previous.operationId, { signal: cancellationSignal() });
    if (state.status !== 'failed') {
      log.info('Reusing the export a previous attempt requested', { operationId: previous.operationId });
      return previous;
    }
    log.warn('The export a previous attempt requested failed: requesting it anew', {
      operationId: previous.operationId,
      code: state.code,
    });
  } catch (err) {
    if (!isPartnerCenterError(err) || err.kind !== 'not-found') throw err;
    log.warn('Graph no longer knows the export a previous attempt requested: requesting it anew', {
      operationId: previous.operationId,
    });
  }
  return undefined;
}
