import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, log } from '@temporalio/activity';
import {
  isPartnerCenterError,
  type Customer,
  type CustomerCreationInput,
  type PartnerCenterClient,
} from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { onboardFailureTypes, onboardPendingTypes } from '../../workflows/customer/failures';
import { domainOf } from '../../workflows/customer/rules';
import type { CreatedCustomer, CustomerCreation, DomainCheck, OnboardedCustomer } from '../../workflows/customer/types';
import { notYet, toActivityFailure } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import type { CustomerActivityDeps } from './deps';

/**
 * A new customer, created exactly once. Partner Center's create is not idempotent (a repeated POST makes a second
 * tenant or is refused for the domain), so no attempt after the first creates blindly: it looks the domain up first,
 * and a customer found there that the request describes is the earlier attempt's (its answer was lost).
 */

export interface CustomerDomainInput {
  create: CustomerCreation;
}

/** The domain is free, or already holds this request's customer (an earlier attempt): else DomainUnavailable. */
export async function checkCustomerDomain(
  deps: Pick<CustomerActivityDeps, 'partnerCenter'>,
  input: CustomerDomainInput,
): Promise<DomainCheck> {
  const domain = domainOf(input.create.domainPrefix);
  try {
    if (!(await deps.partnerCenter.isDomainTaken(domain, readOptions()))) return { domain };
    const ours = await customerOfRequest(deps.partnerCenter, input.create);
    if (ours !== undefined) return { domain, adopted: ours };
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.customerCreationRefused);
  }
  throw ApplicationFailure.create({
    type: onboardFailureTypes.domainUnavailable,
    message: `The domain ${domain} is taken: choose another domainPrefix`,
    details: [{ domain }],
    nonRetryable: true,
  });
}

/**
 * Creates the customer; the one-time admin password in the answer is dropped here (the schema never reads it).
 * Attempts after the first resolve the unknown outcome by the domain before creating.
 */
export async function createCustomerOnce(
  deps: Pick<CustomerActivityDeps, 'partnerCenter'>,
  input: CustomerDomainInput,
): Promise<CreatedCustomer> {
  const pc = deps.partnerCenter;
  try {
    if (activityInfo().attempt > 1) {
      const found = await recoverLostCreation(pc, input.create);
      if (found !== undefined) return found;
    }
    const created = await pc.createCustomer(creationBody(input.create), changeOptions('create-customer'));
    return {
      customerId: created.id,
      tenantId: created.tenantId ?? created.id,
      domain: created.domain ?? domainOf(input.create.domainPrefix),
      ...(created.adminUserName !== undefined ? { adminUserPrincipalName: created.adminUserName } : {}),
      recovered: false,
    };
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.customerCreationRefused);
  }
}

/**
 * An earlier attempt may have created the customer: found by its domain, it is adopted; a domain taken yet not
 * found is the customer list lagging behind, so "not yet" (the attempt is retried); a free domain may be created.
 */
async function recoverLostCreation(pc: PartnerCenterClient, create: CustomerCreation) {
  const found = await customerOfRequest(pc, create);
  if (found !== undefined) {
    log.warn('customer creation answer lost; the customer was found by its domain', { customerId: found.customerId });
    return { ...found, recovered: true };
  }
  const domain = domainOf(create.domainPrefix);
  if (await pc.isDomainTaken(domain, readOptions()))
    throw notYet(
      onboardPendingTypes.customerNotYetVisible,
      `The domain ${domain} is taken since an earlier attempt, but no customer of ours holds it yet`,
    );
  return undefined;
}

/** The partner's customer holding the request's domain and company name; undefined when there is none. */
async function customerOfRequest(pc: PartnerCenterClient, create: CustomerCreation) {
  const domain = domainOf(create.domainPrefix);
  const customers = await pc.findCustomersByDomain(domain, readOptions());
  const match = customers.find(
    (c) =>
      c.companyProfile?.domain?.toLowerCase() === domain &&
      sameText(c.companyProfile.companyName ?? c.billingProfile?.companyName, create.companyName),
  );
  return match === undefined ? undefined : onboardedCustomer(match, domain);
}

export function onboardedCustomer(customer: Customer, domain?: string): OnboardedCustomer {
  return {
    customerId: customer.id,
    tenantId: customer.companyProfile?.tenantId ?? customer.id,
    domain: customer.companyProfile?.domain ?? domain ?? '',
  };
}

function sameText(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function creationBody(create: CustomerCreation): CustomerCreationInput {
  const { address, contact } = create;
  return {
    companyProfile: { domain: domainOf(create.domainPrefix) },
    billingProfile: {
      email: contact.email,
      culture: create.culture,
      language: create.language,
      companyName: create.companyName,
      defaultAddress: {
        country: create.country,
        city: address.city,
        ...(address.state !== undefined ? { state: address.state } : {}),
        addressLine1: address.addressLine1,
        ...(address.addressLine2 !== undefined ? { addressLine2: address.addressLine2 } : {}),
        postalCode: address.postalCode,
        firstName: contact.firstName,
        lastName: contact.lastName,
        ...(contact.phoneNumber !== undefined ? { phoneNumber: contact.phoneNumber } : {}),
      },
    },
  };
}

/** Existing tenant: the invitation link its admin opens to accept the reseller relationship. */
export async function requestResellerRelationship(deps: Pick<CustomerActivityDeps, 'partnerCenter'>): Promise<string> {
  try {
    return await deps.partnerCenter.getRelationshipRequestUrl(readOptions());
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.relationshipNotAccepted);
  }
}

/** One poll: the customer shows in Partner Center once it accepted the relationship (404 until then). */
export async function awaitResellerRelationship(
  deps: Pick<CustomerActivityDeps, 'partnerCenter'>,
  input: { tenantId: string },
): Promise<OnboardedCustomer> {
  try {
    return onboardedCustomer(await deps.partnerCenter.getCustomer(input.tenantId, readOptions()));
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found')
      throw notYet(
        onboardPendingTypes.relationshipPending,
        `Tenant ${input.tenantId} has not accepted the relationship yet`,
      );
    throw toActivityFailure(err, internalFailureTypes.partnerCenter);
  }
}
