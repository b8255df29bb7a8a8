import { randomBytes } from 'node:crypto';
import { COUNTRIES, type Country } from './catalog';
import { ApiError } from './errors';
import type {
  BillingProfile,
  Customer,
  CustomerQualification,
  Delays,
  Partner,
  QualificationName,
  World,
} from './state';
import { ADMIN_USER, seedTenant } from './tenant';

/**
 * Customer onboarding (docs/sandbox.md, Customer onboarding): a customer created by the partner with a new tenant and
 * a one-time admin password, an existing tenant that accepts the partner's invitation, and qualification reviews.
 */

/** The markets the sandbox sells in: a customer elsewhere could buy nothing from its catalog. */
export const SANDBOX_MARKETS = Object.keys(COUNTRIES) as Country[];

/** Whether any customer of any partner has this domain (case-insensitive). */
export function domainTaken(world: World, domain: string): boolean {
  const wanted = domain.toLowerCase();
  return [...world.customers.values()].some((c) => c.domain.toLowerCase() === wanted);
}

/** Partner Center's answer to a create whose domain is in use. */
export const DOMAIN_IN_USE = 600005;

export interface CreatedCustomer {
  customer: Customer;
  /** The first admin's one-time password: in the create response only, never kept. */
  credentials: { userName: string; password: string };
}

/** A new customer of `partner` with its own tenant (the first admin and the seeded users, no GDAP access yet). */
export function createCustomer(
  world: World,
  partner: Partner,
  request: { domain: string; billingProfile: BillingProfile },
): CreatedCustomer {
  const domain = request.domain.toLowerCase();
  if (domainTaken(world, domain))
    throw new ApiError(400, DOMAIN_IN_USE, `The domain ${domain} is already in use: choose another domain prefix.`);
  const country = request.billingProfile.defaultAddress.country.toUpperCase() as Country;
  const customer: Customer = {
    id: world.random.guid(),
    partnerTenantId: partner.tenantId,
    companyName: request.billingProfile.companyName,
    domain,
    country,
    billingProfile: {
      ...request.billingProfile,
      defaultAddress: { ...request.billingProfile.defaultAddress, country },
    },
  };
  world.customers.set(customer.id, customer);
  seedTenant(world, customer, { gdapAccess: false, admin: true });
  return { customer, credentials: { userName: `${ADMIN_USER}@${domain}`, password: oneTimePassword() } };
}

/** Like the passwords Partner Center hands out: letters, digits and a symbol, from the system's CSPRNG (not the seed). */
function oneTimePassword(): string {
  const body = randomBytes(12).toString('base64').replace(/[+/=]/g, '');
  return `${body.slice(0, 4).toUpperCase()}${body.slice(4)}!${randomBytes(1)[0] % 10}`;
}

/**
 * The tenant accepts `partner`'s reseller invitation and becomes its customer; an unknown tenant is created (a
 * generated `tenantNNN.onmicrosoft.com` domain, unless given, and the seeded users). Accepting again changes nothing.
 */
export function acceptRelationship(
  world: World,
  partner: Partner,
  tenantId: string,
  options: { domain?: string; companyName?: string },
): { customer: Customer; created: boolean } {
  const id = tenantId.toLowerCase();
  const known = world.customers.get(id);
  if (known !== undefined) {
    if (known.partnerTenantId !== partner.tenantId)
      throw new ApiError(
        409,
        0,
        `Tenant ${id} is another partner's customer (the sandbox keeps one partner per customer).`,
      );
    return { customer: known, created: false };
  }
  const domain = (options.domain ?? freeTenantDomain(world)).toLowerCase();
  if (domainTaken(world, domain)) throw new ApiError(409, DOMAIN_IN_USE, `The domain ${domain} is already in use.`);
  const customer: Customer = {
    id,
    partnerTenantId: partner.tenantId,
    companyName: options.companyName ?? `Tenant ${id.slice(0, 8)}`,
    domain,
    country: 'US',
  };
  world.customers.set(id, customer);
  seedTenant(world, customer, { gdapAccess: false });
  return { customer, created: true };
}

function freeTenantDomain(world: World): string {
  for (let n = world.customers.size + 1; ; n += 1) {
    const domain = `tenant${n}.onmicrosoft.com`;
    if (!domainTaken(world, domain)) return domain;
  }
}

export const QUALIFICATIONS: readonly QualificationName[] = [
  'Education',
  'GovernmentCommunityCloud',
  'StateOwnedEntity',
];

/** Partner Center's answer to a second qualification request: a qualification is irreversible. */
export const QUALIFICATION_EXISTS = 600090;

/** Starts the review of a customer's (only) qualification. */
export function requestQualification(
  world: World,
  customer: Customer,
  request: { qualification: QualificationName; withCode: boolean; now: number },
): CustomerQualification {
  const existing = world.qualifications.get(customer.id);
  if (existing !== undefined)
    throw new ApiError(
      400,
      QUALIFICATION_EXISTS,
      `Customer ${customer.id} already has the qualification ${existing.qualification} (${existing.vettingStatus}); a qualification cannot be changed.`,
    );
  const qualification: CustomerQualification = {
    customerId: customer.id,
    qualification: request.qualification,
    vettingStatus: 'InReview',
    requestedAt: request.now,
    withCode: request.withCode,
  };
  world.qualifications.set(customer.id, qualification);
  return qualification;
}

/** Reviews done by `now`: approved, except GovernmentCommunityCloud without a validation code. */
export function settleQualifications(world: World, now: number, delays: Delays): void {
  for (const q of world.qualifications.values()) {
    if (q.vettingStatus !== 'InReview' || q.requestedAt + delays.qualificationReviewMs > now) continue;
    if (q.qualification === 'GovernmentCommunityCloud' && !q.withCode) {
      q.vettingStatus = 'Denied';
      q.vettingReason = 'GovernmentCommunityCloud eligibility needs a validation code; none was given.';
    } else q.vettingStatus = 'Approved';
  }
}

export function qualificationJson(q: CustomerQualification): Record<string, unknown> {
  return { qualification: q.qualification, vettingStatus: q.vettingStatus, vettingReason: q.vettingReason ?? null };
}
