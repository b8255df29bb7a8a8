/**
 * What callers of `assignLicences` rely on (contract §3, v3): its id, request and result schemas, status query and
 * failure types. Clients, the CLI and the HTTP API import this file only; the rest of the folder may change.
 */
import type { assignLicences } from './workflow';

export type LicenceWorkflow = typeof assignLicences;
export { licenceWorkflowId } from './ids';
export { licenceFailureTypes, type LicenceFailureType } from './failures';
export { licenceStatusQuery } from './messages';
export { describeLicenceRequest } from './rules';
export {
  LicenceRequestSchema,
  LicenceResultSchema,
  LicenceStatusSchema,
  LicenceStepSchema,
  LicenceUserResultSchema,
  licenceOutcomes,
  licenceSteps,
  MAX_USERS_PER_REQUEST,
  validateLicenceRequest,
  type LicenceOutcome,
  type LicenceRequest,
  type LicenceResult,
  type LicenceStatus,
  type LicenceStep,
  type LicenceUserResult,
  type ValidLicenceRequest,
} from './types';
