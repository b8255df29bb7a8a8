/** Contract §3: one workflow per upstream request, so a repeated start finds the same purchase. */
export function purchaseWorkflowId(requestId: string): string {
  return `purchase-${requestId}`;
}
