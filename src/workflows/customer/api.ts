/**
 * What callers of `onboardCustomer` rely on (contract §3, v3): its id, request and result schemas, messages and
 * failure types. Clients, the CLI and the HTTP API import this file only; the rest of the folder may change.
 */
import type { onboardCustomer } from './workflow';

export type OnboardWorkflow = typeof onboardCustomer;
export { onboardWorkflowId } from './ids';
export { onboardFailureTypes, type OnboardFailureType } from './failures';
export { cancelOnboardingUpdate, gdapApprovedSignal, onboardStatusQuery, relationshipAcceptedSignal } from './messages';
export { gdapApprovalUrl, terminalOnboardSteps } from './rules';
export {
  OnboardCancelAcknowledgementSchema,
  OnboardCancelArgsSchema,
  OnboardRequestSchema,
  OnboardResultSchema,
  OnboardStatusSchema,
  OnboardStepSchema,
  onboardSteps,
  validateOnboardRequest,
  type InvalidField,
  type OnboardCancelAcknowledgement,
  type OnboardCancelArgs,
  type OnboardRequest,
  type OnboardResult,
  type OnboardStatus,
  type OnboardStep,
  type ValidOnboardRequest,
} from './types';
