/** Contract §3 (v3): one onboarding per upstream request, so a repeated start finds the same run. */
export function onboardWorkflowId(requestId: string): string {
  return `onboard-${requestId}`;
}
