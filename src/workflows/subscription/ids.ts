/** Contract §3: one workflow per upstream request, so a repeated start finds the same change. */
export function subscriptionChangeWorkflowId(requestId: string): string {
  return `change-${requestId}`;
}

/** Contract §3: one lifecycle per subscription, so a second start (purchase, adoption, event) finds the same run. */
export function lifecycleWorkflowId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

/**
 * The requestId of the changeSubscription run that applies a plan: one per subscription, term and attempt, so a
 * replayed or restarted lifecycle finds its own change instead of sending it twice.
 */
export function planChangeRequestId(subscriptionId: string, renewsAt: string, attempt: number): string {
  return `lifecycle-${subscriptionId}-${renewsAt.slice(0, 10)}-${attempt}`;
}
