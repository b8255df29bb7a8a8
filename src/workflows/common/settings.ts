import { z } from 'zod';

/**
 * The worker's poll intervals and deadlines (ORDER_POLL_INTERVAL, ORDER_POLL_MAX_INTERVAL, ORDER_VISIBILITY_DEADLINE,
 * APPROVAL_TIMEOUT, SUBSCRIPTION_CHANGE_DEADLINE), read through a local activity at the start of a run so replays see the same values.
 */
export const WorkerSettingsSchema = z.object({
  orderPollIntervalMs: z.number().int().positive(),
  /** Absent from histories recorded before it existed: those runs keep polling at the constant interval they ran with. */
  orderPollMaxIntervalMs: z.number().int().positive().optional(),
  orderVisibilityDeadlineMs: z.number().int().positive(),
  approvalTimeoutMs: z.number().int().positive(),
  /** Absent from histories recorded before it existed: those changes keep the order deadline they ran with. */
  subscriptionChangeDeadlineMs: z.number().int().positive().optional(),
});
export type WorkerSettings = z.infer<typeof WorkerSettingsSchema>;

/** How long a subscription change waits for a busy subscription or an accepted (202) change. */
export function subscriptionChangeDeadlineMs(settings: WorkerSettings): number {
  return settings.subscriptionChangeDeadlineMs ?? settings.orderVisibilityDeadlineMs;
}
