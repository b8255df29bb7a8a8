import { createHash } from 'node:crypto';
import { CATALOG_PRODUCTS } from './catalog';
import { DAY_MS } from './clock';
import type { Customer, CustomerTenant, Delays, Subscription, SubscriptionStatus, TenantUser, World } from './state';

/**
 * Each customer's Microsoft Entra tenant as Microsoft Graph shows it (partner-center-lifecycle.md, Licences): its
 * directory subscriptions follow the customer's Partner Center subscriptions (quantity → totalLicenses, status),
 * its subscribed SKUs sum them per licence SKU, and its users hold licences. Ids are derived from names, never drawn
 * from the seed, so a tenant created on first use leaves every seeded id as it was.
 */

/** Users every tenant starts with: `user01`…`user10` in the customer's country, and one without a usage location. */
const SEEDED_LOCATED_USERS = 10;
export const UNLOCATED_USER = 'unlocated';
/** The first admin of a tenant Partner Center created (`userCredentials.userName`). */
export const ADMIN_USER = 'admin';

/** A GUID-shaped id that is a pure function of `name`. */
export function derivedGuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Microsoft's part numbers for the seeded products; every SKU of a product (its trial too) is one licence SKU. */
const PART_NUMBERS: Record<string, string> = {
  CFQ7TTC0LH18: 'O365_BUSINESS_ESSENTIALS',
  CFQ7TTC0LDPB: 'O365_BUSINESS_PREMIUM',
  CFQ7TTC0LCHC: 'SPB',
  CFQ7TTC0LF8Q: 'STANDARDPACK',
  CFQ7TTC0LF8R: 'ENTERPRISEPACK',
  CFQ7TTC0LFLX: 'SPE_E3',
  CFQ7TTC0LFLZ: 'SPE_E5',
  CFQ7TTC0RM8K: 'TEAMS_ESSENTIALS_AAD',
  CFQ7TTC0RM7H: 'Microsoft_Teams_Premium',
  CFQ7TTC0HHS9: 'CPC_E_2C_8GB_128GB',
  CFQ7TTC0HD32: 'WIN_ENT_E3_VDA',
  CFQ7TTC0LH0Z: 'DYN365_BUSCENTRAL_ESSENTIAL',
  CFQ7TTC0MM8R: 'Microsoft_365_Copilot',
};

export interface LicenceSku {
  skuId: string;
  skuPartNumber: string;
}

/** The licence SKU of a Partner Center product: a GUID derived from the product id (not Microsoft's). */
export function licenceSkuOf(productId: string): LicenceSku {
  const product = productId.toUpperCase();
  return { skuId: derivedGuid(`licence:${product}`), skuPartNumber: PART_NUMBERS[product] ?? product };
}

/** The product whose licence SKU is `skuId`, if any. */
export function productOfLicence(skuId: string): string | undefined {
  return CATALOG_PRODUCTS.find((p) => licenceSkuOf(p.id).skuId === skuId.toLowerCase())?.id;
}

function newUser(customer: Customer, name: string, located: boolean): TenantUser {
  const userPrincipalName = `${name}@${customer.domain}`;
  return {
    id: derivedGuid(`user:${customer.id}:${name}`),
    userPrincipalName,
    displayName: name,
    ...(located ? { usageLocation: customer.country } : {}),
    assignedSkuIds: [],
  };
}

/** The customer's tenant, created with its seeded users on first use. */
export function tenantOf(world: World, customer: Customer): CustomerTenant {
  return world.tenants.get(customer.id) ?? seedTenant(world, customer, { gdapAccess: true });
}

/**
 * A new tenant for the customer with the seeded users; `admin` adds `admin@{domain}` first (the first admin of a
 * tenant Partner Center created). An onboarded customer's tenant starts without GDAP access (onboarding.ts).
 */
export function seedTenant(
  world: World,
  customer: Customer,
  options: { gdapAccess: boolean; admin?: boolean },
): CustomerTenant {
  const located = Array.from({ length: SEEDED_LOCATED_USERS }, (_, i) =>
    newUser(customer, `user${String(i + 1).padStart(2, '0')}`, true),
  );
  const tenant: CustomerTenant = {
    customerId: customer.id,
    users: [
      ...(options.admin === true ? [newUser(customer, ADMIN_USER, true)] : []),
      ...located,
      newUser(customer, UNLOCATED_USER, false),
    ],
    gdapAccess: options.gdapAccess,
  };
  world.tenants.set(customer.id, tenant);
  return tenant;
}

/** A user by object id or user principal name (case-insensitive), as `/users/{id|userPrincipalName}` finds one. */
export function findUser(tenant: CustomerTenant, idOrUpn: string): TenantUser | undefined {
  const wanted = idOrUpn.toLowerCase();
  return tenant.users.find((u) => u.id === wanted || u.userPrincipalName.toLowerCase() === wanted);
}

/** companySubscription.status, from the Partner Center status (docs/sandbox.md, Customers' tenants). */
export type DirectoryStatus = 'Enabled' | 'Suspended' | 'Warning' | 'LockedOut' | 'Deleted';
const DIRECTORY_STATUS: Record<SubscriptionStatus, DirectoryStatus | undefined> = {
  active: 'Enabled',
  suspended: 'Suspended',
  expired: 'Warning',
  disabled: 'LockedOut',
  deleted: 'Deleted',
  pending: undefined,
};

/** The customer's subscriptions the tenant shows now: created at least `licenceVisibilityMs` ago and provisioned. */
export function tenantSubscriptions(world: World, customerId: string, now: number, delays: Delays): Subscription[] {
  return [...world.subscriptions.values()].filter(
    (s) =>
      s.customerId === customerId &&
      s.createdAt + delays.licenceVisibilityMs <= now &&
      DIRECTORY_STATUS[s.status] !== undefined,
  );
}

/** Graph's `companySubscription` of a Partner Center subscription. */
export function companySubscriptionJson(s: Subscription, partnerTenantId: string): Record<string, unknown> {
  return {
    id: derivedGuid(`companySubscription:${s.id}`),
    commerceSubscriptionId: s.id,
    ...licenceSkuOf(s.productId),
    status: DIRECTORY_STATUS[s.status],
    totalLicenses: s.quantity,
    isTrial: s.isTrial,
    // The moment the term ends: renewal (auto-renew on) or expiry happens at the start of the day after its last.
    nextLifecycleDateTime: new Date(s.commitmentEnd + DAY_MS).toISOString(),
    createdDateTime: new Date(s.createdAt).toISOString(),
    ownerTenantId: partnerTenantId,
    ownerType: 'Company',
    serviceStatus: [],
  };
}

interface PrepaidUnits {
  enabled: number;
  suspended: number;
  warning: number;
  lockedOut: number;
}

const BUCKET: Record<DirectoryStatus, keyof PrepaidUnits | undefined> = {
  Enabled: 'enabled',
  Suspended: 'suspended',
  Warning: 'warning',
  LockedOut: 'lockedOut',
  Deleted: undefined,
};

/** Licence SKU → seats per state, summed over the subscriptions of its product. */
export function prepaidUnitsBySku(subscriptions: Subscription[]): Map<string, PrepaidUnits> {
  const units = new Map<string, PrepaidUnits>();
  for (const s of subscriptions) {
    const { skuId } = licenceSkuOf(s.productId);
    const sku = units.get(skuId) ?? { enabled: 0, suspended: 0, warning: 0, lockedOut: 0 };
    const bucket = BUCKET[DIRECTORY_STATUS[s.status] ?? 'Deleted'];
    if (bucket !== undefined) sku[bucket] += s.quantity;
    units.set(skuId, sku);
  }
  return units;
}

/** How many users hold the licence SKU. */
export function consumedUnits(tenant: CustomerTenant, skuId: string): number {
  return tenant.users.filter((u) => u.assignedSkuIds.includes(skuId)).length;
}

/** Graph's `subscribedSku` list: every licence SKU with a subscription or an assigned licence. */
export function subscribedSkusJson(
  tenant: CustomerTenant,
  customer: Customer,
  subscriptions: Subscription[],
): Array<Record<string, unknown>> {
  const units = prepaidUnitsBySku(subscriptions);
  for (const user of tenant.users)
    for (const skuId of user.assignedSkuIds)
      if (!units.has(skuId)) units.set(skuId, { enabled: 0, suspended: 0, warning: 0, lockedOut: 0 });
  return [...units].map(([skuId, prepaidUnits]) => ({
    id: `${customer.id}_${skuId}`,
    accountId: customer.id,
    accountName: customer.companyName,
    ...licenceSkuOf(productOfLicence(skuId) ?? skuId),
    skuId,
    appliesTo: 'User',
    capabilityStatus: capabilityStatusOf(prepaidUnits),
    consumedUnits: consumedUnits(tenant, skuId),
    prepaidUnits,
    servicePlans: [],
  }));
}

function capabilityStatusOf(units: PrepaidUnits): string {
  if (units.enabled > 0) return 'Enabled';
  if (units.warning > 0) return 'Warning';
  if (units.suspended > 0) return 'Suspended';
  return 'LockedOut';
}

/**
 * Makes exactly `assigned` users hold the licence SKU (a control-API shortcut, no seat check): removes it from the
 * last holders, or gives it to located users without it, creating `licensed-NNNN` users when the tenant has too few.
 */
export function setAssignedSeats(tenant: CustomerTenant, customer: Customer, skuId: string, assigned: number): void {
  const holders = tenant.users.filter((u) => u.assignedSkuIds.includes(skuId));
  for (const user of holders.slice(assigned)) user.assignedSkuIds = user.assignedSkuIds.filter((id) => id !== skuId);
  let missing = assigned - holders.length;
  for (const user of tenant.users) {
    if (missing <= 0) return;
    if (user.usageLocation === undefined || user.assignedSkuIds.includes(skuId)) continue;
    user.assignedSkuIds.push(skuId);
    missing -= 1;
  }
  for (let n = tenant.users.length; missing > 0; n += 1, missing -= 1) {
    const user = newUser(customer, `licensed-${String(n).padStart(4, '0')}`, true);
    user.assignedSkuIds.push(skuId);
    tenant.users.push(user);
  }
}
