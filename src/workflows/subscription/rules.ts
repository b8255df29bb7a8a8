import { subscriptionFailureTypes } from './failures';
import { invalidRequest, type InvalidField } from '../common/validation';
import type { WorkerSettings } from '../common/settings';
import type { SubscriptionChange } from './types';

/**
 * The new-commerce rules `changeSubscription` enforces before calling Partner Center: pure functions of
 * recorded values, shared by the workflow's check and the activity's re-check. Each concern has its own module:
 * change-rules.ts (before any PATCH), transition-rules.ts (transitions and trial conversions), refund-window.ts
 * (the cancellation window and refundable seats), refusals.ts (how a rule refuses).
 */
export { checkChange, isInEffect, targetOf } from './change-rules';
export { planTransition } from './transition-rules';
export { cancellationWindowClosed, refundableSeats, refundOf } from './refund-window';
export { refusalFailure } from './refusals';

/** `InvalidChangeRequest`, naming every bad field. */
export function invalidChangeRequest(problems: readonly InvalidField[]) {
  return invalidRequest(subscriptionFailureTypes.invalidRequest, 'change request', problems);
}

/** One line for people: the Temporal UI summary, logs, `pcw change`. */
export function describeSubscriptionChange(change: SubscriptionChange): string {
  switch (change.action) {
    case 'setQuantity':
      return `set quantity to ${change.quantity}`;
    case 'setAutoRenew':
      return `${change.enabled ? 'enable' : 'disable'} auto-renew`;
    case 'rename':
      return `rename to "${change.friendlyName}"`;
    case 'cancel':
      return 'cancel';
    case 'transition':
      return [
        `${change.timing === 'scheduled' ? 'at renewal, ' : ''}transition to ${change.toCatalogItemId}`,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
        change.toSubscriptionId !== undefined ? `into ${change.toSubscriptionId}` : undefined,
        change.transitionType,
      ]
        .filter((p) => p !== undefined)
        .join(', ');
    case 'convertTrial':
      return [
        `convert the trial to ${change.toCatalogItemId ?? 'paid'}`,
        change.termDuration !== undefined ? `term ${change.termDuration}` : undefined,
        change.billingCycle !== undefined ? `billed ${change.billingCycle}` : undefined,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
      ]
        .filter((p) => p !== undefined)
        .join(', ');
    case 'suspend':
      return 'suspend (still billed while suspended)';
    case 'reactivate':
      return 'reactivate';
    case 'scheduleNextTerm': {
      const parts = [
        change.catalogItemId !== undefined ? `offer ${change.catalogItemId}` : undefined,
        change.termDuration !== undefined ? `term ${change.termDuration}` : undefined,
        change.billingCycle !== undefined ? `billed ${change.billingCycle}` : undefined,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
      ].filter((p) => p !== undefined);
      return `at renewal: ${parts.join(', ')}`;
    }
  }
}

/** How long a subscription change waits for a busy subscription or an accepted (202) change. */
export function subscriptionChangeDeadlineMs(settings: WorkerSettings): number {
  return settings.subscriptionChangeDeadlineMs ?? settings.orderVisibilityDeadlineMs;
}
