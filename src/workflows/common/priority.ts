import type { Priority } from '@temporalio/common';

/**
 * Temporal task priority keys (1 first, 5 last) under the one Partner Center budget (contract §3h): the server hands
 * the budget's next activity task to the most urgent run waiting, so nothing waiting delays a purchase's checkout.
 * An activity without a key of its own inherits its run's; a child inherits its parent's unless given one.
 */
export const TASK_PRIORITY = {
  /** A purchase's cart and checkout: what a customer waits on. */
  checkout: 1,
  /** The rest of a purchase, a subscription change, an onboarding (set when they start). */
  buying: 2,
  /** Waiting on Partner Center (polls), and subscription lifecycles' reads, reviews and their changes. */
  background: 4,
  /** Billing reconciliations and licence batches. */
  batch: 5,
} as const;

/**
 * The priority of a run or call; the fairness key is the customer's tenant id (the Partner Center customer id), so one
 * customer's thousand reviews take turns with another customer's few within a priority.
 */
export function taskPriority(level: keyof typeof TASK_PRIORITY, customerId?: string): Priority {
  return { priorityKey: TASK_PRIORITY[level], ...(customerId !== undefined ? { fairnessKey: customerId } : {}) };
}
