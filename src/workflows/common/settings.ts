import { z } from 'zod';

/**
 * The worker's poll intervals and deadlines (ORDER_POLL_INTERVAL, ORDER_POLL_MAX_INTERVAL, ORDER_VISIBILITY_DEADLINE,
 * APPROVAL_TIMEOUT, SUBSCRIPTION_CHANGE_DEADLINE,
 * RENEWAL_REVIEW_LEAD), read through a local activity at the start of a run so replays see the same values.
 */
export const WorkerSettingsSchema = z.object({
  orderPollIntervalMs: z.number().int().positive(),
  /** Absent from histories recorded before it existed: those runs keep polling at the constant interval they ran with. */
  orderPollMaxIntervalMs: z.number().int().positive().optional(),
  orderVisibilityDeadlineMs: z.number().int().positive(),
  approvalTimeoutMs: z.number().int().positive(),
  /** Absent from histories recorded before it existed: those changes keep the order deadline they ran with. */
  subscriptionChangeDeadlineMs: z.number().int().positive().optional(),
  /**
   * The task queue the polls ran on when they had their own share of the Partner Center budget (`<queue>-polls`,
   * src/worker.ts): recorded by runs started then, which keep polling there. Absent from runs started before or since:
   * those poll on their own queue.
   */
  pollTaskQueue: z.string().min(1).optional(),
  /** RENEWAL_REVIEW_LEAD: a lifecycle's default lead time. Absent from histories recorded before it (14 days then). */
  renewalReviewLeadMs: z.number().int().positive().optional(),
  /** RELATIONSHIP_ACCEPT_TIMEOUT and GDAP_APPROVAL_TIMEOUT (onboarding). Absent from histories recorded before them. */
  relationshipAcceptTimeoutMs: z.number().int().positive().optional(),
  gdapApprovalTimeoutMs: z.number().int().positive().optional(),
  /** LICENCE_VISIBILITY_DEADLINE: how long licences may take to show in the customer's tenant (2 hours when absent). */
  licenceVisibilityDeadlineMs: z.number().int().positive().optional(),
  /**
   * Set when webhooks are configured (PCW_WEBHOOK_*); never the secret nor an address. Absent when webhooks are off
   * and from histories recorded before them.
   */
  webhooks: z
    .object({
      /** PCW_WEBHOOK_DEADLINE: how long one event's delivery is retried. */
      deadlineMs: z.number().int().positive(),
      /** Whether PCW_WEBHOOK_URL is set (else only a run's callbackUrl receives events). */
      url: z.boolean(),
    })
    .optional(),
});
export type WorkerSettings = z.infer<typeof WorkerSettingsSchema>;
