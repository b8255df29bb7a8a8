/** Contract §3: one workflow per upstream request, so a repeated start finds the same assignment. */
export function licenceWorkflowId(requestId: string): string {
  return `licences-${requestId}`;
}

/** The assignment a purchase starts for its item `item` (0-based): `licences-{purchase requestId}-{item}`. */
export function purchaseLicenceRequestId(purchaseRequestId: string, item: number): string {
  return `${purchaseRequestId}-${item}`;
}
