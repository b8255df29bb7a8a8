import { approvePurchase, cancelPurchase, PurchaseAlreadyFinishedError, rejectPurchase } from '../client';
import type { Action } from './action';
import { CliFailure } from './errors';
import { requiredFlags, type Values } from './flags';
import { describeRun, endOf, findRun, follow, viewRun, type Run } from './runs';

/** `pcw status|watch ID` and a purchase's `approve`, `reject` and `cancel`: commands on one run that exists. */

export function planStatus(target: string): Action {
  return async ({ client, out }) => {
    const view = await viewRun(client, await findRun(client, target));
    out.emit(view, describeRun(view));
  };
}

export function planWatch(target: string): Action {
  return async ({ client, out }) => {
    const run = await findRun(client, target);
    const view = await follow(client, out, run, (step) => out.emit(step, ''));
    if (!out.json) out.emit(view, describeRun(view));
    endOf(view);
  };
}

export function planDecision(command: 'approve' | 'reject', target: string, values: Values): Action {
  const flags = requiredFlags(values, ...(command === 'approve' ? (['by'] as const) : (['by', 'reason'] as const)));
  return async ({ client, out }) => {
    const run = await findRun(client, target, 'purchase');
    await updatePurchase(run, (requestId) =>
      command === 'approve'
        ? approvePurchase(client, requestId, { by: flags.by })
        : rejectPurchase(client, requestId, { by: flags.by, reason: flags.reason }),
    );
    // The step after the update: an approved purchase has moved on by the time the update returns.
    const view = await viewRun(client, run);
    out.emit(view, `${run.label} ${command === 'approve' ? 'approved' : 'rejected'} by ${flags.by}; now ${view.step}`);
  };
}

export function planCancel(target: string, values: Values): Action {
  const { reason } = requiredFlags(values, 'reason');
  return async ({ client, out }) => {
    const run = await findRun(client, target, 'purchase');
    const ack = await updatePurchase(run, (requestId) => cancelPurchase(client, requestId, { reason }));
    out.emit(
      ack,
      ack.afterCheckout
        ? `${run.label}: cancel accepted in step ${ack.step}; the subscriptions it bought are being cancelled`
        : `${run.label}: cancel accepted in step ${ack.step}; nothing is bought`,
    );
  };
}

/**
 * A client update of the purchase `run` (found by request id or workflow id). The client's refusal passes as it
 * is; a finished purchase is told with when it ended and, for cancel, how to cancel what it bought.
 */
async function updatePurchase<T>(run: Run, send: (requestId: string) => Promise<T>): Promise<T> {
  try {
    // Every purchase the client starts is purchase-{requestId}: one started under another id is not the client's.
    return await send(run.requestId ?? run.workflowId);
  } catch (error) {
    if (error instanceof PurchaseAlreadyFinishedError) throw alreadyFinished(run, error);
    throw error;
  }
}

function alreadyFinished(run: Run, error: PurchaseAlreadyFinishedError): CliFailure {
  const ended = `${run.label} is already finished (${error.step} on ${error.closedAt})`;
  if (error.update !== 'cancel')
    return new CliFailure('AlreadyFinished', `${ended}; there is nothing to ${error.update}`, { step: error.step });
  const subscriptions = (error.result?.subscriptions ?? []).filter((s) => s.status !== 'deleted').map((s) => s.id);
  const next =
    subscriptions.length === 0
      ? 'it left no subscription to cancel'
      : `to cancel what it bought, run \`pcw change --cancel --customer ${error.result?.customerId} --subscription ID --request-id NEW_ID\` for ${subscriptions.length === 1 ? `subscription ${subscriptions[0]}` : `each of ${subscriptions.join(', ')}`}`;
  return new CliFailure('AlreadyFinished', `${ended}; ${next}`, { step: error.step, subscriptionIds: subscriptions });
}
