import { bindActivities } from '../common/bind-activities';
import { assignLicenceBatch } from './assign';
import type { LicenceActivityDeps } from './deps';
import { awaitLicencesVisible, readLicenceSku } from './visibility';

export type { LicenceActivityDeps, LicenceTenantClient } from './deps';

/**
 * Activities of `assignLicences`: wait until the subscription shows in the customer's tenant and read its SKU
 * (visibility.ts), assign or remove a batch of users with a heartbeat checkpoint (assign.ts).
 */
export function createLicenceActivities(deps: LicenceActivityDeps) {
  return bindActivities(deps, { awaitLicencesVisible, readLicenceSku, assignLicenceBatch });
}
