import { randomUUID } from 'node:crypto';
import { InternalConnectionLikeSymbol, type Client, type InternalConnectionLike } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../settings/values';
import { describeInvalid } from '../workflows/billing/api';
import {
  purchaseFailureTypes,
  validatePurchaseRequest,
  type PurchaseRequest,
  type Quote,
  type QuoteWorkflow,
} from '../workflows/purchase/api';
import { failureReport, RunFailure } from './failures';

/** A quote runs in seconds; one that waits longer than this has no worker to answer it. */
const QUOTE_TIMEOUT = '2m';

/**
 * What `request` would cost (contract §3g), as `quotePurchase` prices it on the worker (the catalog resolved as the
 * purchase resolves it, the worker's cached price sheet); nothing is bought. An invalid request is refused here, before
 * any call, with every bad field named; any other refusal is a RunFailure of the quote's failure type.
 */
export async function quotePurchaseRequest(
  client: Client,
  request: PurchaseRequest,
  options: { taskQueue?: string } = {},
): Promise<Quote> {
  const validation = validatePurchaseRequest(request);
  if (!validation.ok) {
    throw new RunFailure(
      purchaseFailureTypes.invalidRequest,
      describeInvalid('purchase request', validation.problems),
      validation.problems,
    );
  }
  try {
    return await client.workflow.execute<QuoteWorkflow>('quotePurchase', {
      workflowId: `quote-${validation.request.requestId}-${randomUUID()}`,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [validation.request],
      workflowExecutionTimeout: QUOTE_TIMEOUT,
      // On a worker's own connection the server hands the first task straight back to that worker: no dispatch wait.
      requestEagerStart: sharesWorkerConnection(client),
      staticSummary: `Quote ${validation.request.items.length} item(s) for customer ${validation.request.customerId} (${validation.request.country})`,
    });
  } catch (error) {
    const report = failureReport(error);
    throw new RunFailure(report.type, report.message, report.details, `${report.type}: ${report.message}`, error);
  }
}

/** Whether the client is on a NativeConnection (a worker's), the only kind that can take a workflow's first task eagerly. */
function sharesWorkerConnection(client: Client): boolean {
  return (client.connection as InternalConnectionLike)[InternalConnectionLikeSymbol]?.supportsEagerStart === true;
}
