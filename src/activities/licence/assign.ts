import { Context } from '@temporalio/activity';
import { isPartnerCenterError, type PartnerCenterError, type TenantUser } from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import type {
  LicenceBatchInput,
  LicenceBatchResult,
  LicenceChange,
  LicenceUserResult,
} from '../../workflows/licence/types';
import { toActivityFailure } from '../common/failures';
import { HEARTBEAT_INTERVAL_MS } from '../common/heartbeat';
import type { LicenceActivityDeps, LicenceTenantClient } from './deps';
import { tenantClientOf } from './visibility';

/** Graph's refusal when every seat of the SKU is taken ("… does not have any available licenses"). */
const NO_LICENCE_LEFT = /available licen[cs]es/i;
/** Graph's refusal for a user without `usageLocation`: no licence can be assigned until one is set. */
const NO_USAGE_LOCATION = /usage location/i;

interface UserChange {
  result: LicenceUserResult;
  seatsExhausted: boolean;
}

/**
 * Gives a batch of users the SKU or takes it from them, one user at a time through Graph's per-user assignLicense,
 * idempotently: a user is read first, so one who already holds it is `alreadyAssigned` (and a removal of a user who
 * does not is `removed` without a call). A seat shortage makes that user `noLicenceAvailable` and the rest of the
 * batch (and the batches after) are not tried. Heartbeats its results so far: a retried attempt (a killed worker, a
 * 429 from Graph) resumes after the last user it finished.
 */
export async function assignLicenceBatch(
  deps: LicenceActivityDeps,
  input: LicenceBatchInput,
): Promise<LicenceBatchResult> {
  const tenants = tenantClientOf(deps);
  const context = Context.current();
  let progress = resumedProgress(context.info.heartbeatDetails, input);
  const timer = setInterval(() => context.heartbeat(progress), HEARTBEAT_INTERVAL_MS);
  try {
    for (const change of input.changes.slice(progress.users.length)) {
      const { result, seatsExhausted } = await changeOne(tenants, input, change, progress.seatsExhausted);
      progress = { users: [...progress.users, result], seatsExhausted };
      context.heartbeat(progress);
    }
    return progress;
  } finally {
    clearInterval(timer);
  }
}

/** The results a previous attempt heartbeat, if they belong to this batch; else a fresh start. */
function resumedProgress(details: unknown, input: LicenceBatchInput): LicenceBatchResult {
  const fresh = { users: [], seatsExhausted: input.seatsExhausted };
  if (typeof details !== 'object' || details === null) return fresh;
  const { users, seatsExhausted } = details as Partial<LicenceBatchResult>;
  if (!Array.isArray(users) || users.length > input.changes.length || typeof seatsExhausted !== 'boolean') return fresh;
  const same = users.every((u, i) => u.user === input.changes[i].user);
  return same ? { users, seatsExhausted } : fresh;
}

async function changeOne(
  tenants: LicenceTenantClient,
  { customerId, skuId }: LicenceBatchInput,
  { user, action }: LicenceChange,
  seatsExhausted: boolean,
): Promise<UserChange> {
  const outcome = (o: LicenceUserResult['outcome'], detail?: string): UserChange => ({
    result: { user, outcome: o, ...(detail !== undefined ? { detail } : {}) },
    seatsExhausted,
  });
  const holder = await graphCall(() => tenants.getUser(customerId, user));
  if (holder === undefined) return outcome('userNotFound', `no user ${user} in tenant ${customerId}`);
  const holds = holdsSku(holder, skuId);
  if (action === 'remove') {
    if (!holds) return outcome('removed', 'did not hold the licence');
    await graphCall(() => tenants.assignLicence(customerId, holder.id, [], [skuId]));
    return outcome('removed');
  }
  if (holds) return outcome('alreadyAssigned');
  if (seatsExhausted) return outcome('noLicenceAvailable', 'every licence of the SKU was already assigned');
  try {
    await tenants.assignLicence(customerId, holder.id, [skuId]);
    return outcome('assigned');
  } catch (err) {
    return refusal(err, outcome);
  }
}

/** Graph's refusal of one user's assignment as that user's outcome; any other failure fails the attempt. */
function refusal(err: unknown, outcome: (o: LicenceUserResult['outcome'], detail?: string) => UserChange): UserChange {
  if (!isPartnerCenterError(err)) throw err;
  if (err.kind === 'not-found') return outcome('userNotFound', 'the user was deleted before the assignment');
  if (err.kind === 'business' && NO_LICENCE_LEFT.test(graphMessage(err)))
    return { ...outcome('noLicenceAvailable', graphMessage(err)), seatsExhausted: true };
  if (err.kind === 'business' && NO_USAGE_LOCATION.test(graphMessage(err)))
    return outcome(
      'noLicenceAvailable',
      `the user has no usage location: set its usageLocation, then assign again (Graph: ${graphMessage(err)})`,
    );
  throw toActivityFailure(err, internalFailureTypes.partnerCenter);
}

function graphMessage(err: PartnerCenterError): string {
  return err.description;
}

function holdsSku(user: TenantUser, skuId: string): boolean {
  return user.assignedLicenses.some((l) => l.skuId.toLowerCase() === skuId.toLowerCase());
}

/** A Graph call whose failures fail the attempt: 429 and 5xx retried (after Retry-After), 403 as Unauthorized. */
async function graphCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err, internalFailureTypes.partnerCenter);
  }
}
