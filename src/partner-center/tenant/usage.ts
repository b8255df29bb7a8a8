/**
 * The licence usage of Partner Center subscriptions as a customer's tenant shows it: the directory subscriptions
 * matched by `commerceSubscriptionId`, and the one subscribed SKU they carry — several subscriptions of one product
 * share it, so its figures count them together.
 */
import { PartnerCenterInvalidRequestError } from '../errors';
import type { CompanySubscription, SubscribedSku } from './schemas';

export interface LicenceUsage {
  skuId: string;
  skuPartNumber?: string;
  /** Licences of the SKU assigned to users (`consumedUnits`), whichever subscription they come from. */
  assigned: number;
  /** Licences of the SKU that can be assigned (`prepaidUnits.enabled`): every enabled subscription of the SKU. */
  total: number;
  /** The SKU's seats per state, as Graph gives them. */
  prepaidUnits: SubscribedSku['prepaidUnits'];
  /** Every directory subscription of the SKU (those asked about and the others of the product). */
  subscriptions: CompanySubscription[];
  /** Subscription ids asked about that the tenant does not show yet. */
  missing: string[];
}

/** Pure: the usage from one read of the tenant's directory subscriptions and subscribed SKUs. */
export function licenceUsageOf(
  tenantId: string,
  subscriptionIds: string[],
  subscriptions: CompanySubscription[],
  skus: SubscribedSku[],
): LicenceUsage | undefined {
  const commerceId = (s: CompanySubscription) =>
    s.commerceSubscriptionId === undefined ? undefined : idKey(s.commerceSubscriptionId);
  const wanted = subscriptionIds.map(idKey);
  const found = subscriptions.filter((s) => wanted.includes(commerceId(s) ?? ''));
  if (found.length === 0) return undefined;
  const skuIds = [...new Set(found.map((s) => s.skuId.toLowerCase()))];
  if (skuIds.length > 1)
    throw new PartnerCenterInvalidRequestError({
      description: `Subscriptions ${subscriptionIds.join(', ')} carry different licence SKUs in tenant ${tenantId} (${skuIds.join(', ')}): read their usage one SKU at a time`,
    });
  const [skuId] = skuIds;
  const sku = skus.find((s) => s.skuId.toLowerCase() === skuId);
  const prepaidUnits = sku?.prepaidUnits ?? { enabled: 0, suspended: 0, warning: 0, lockedOut: 0 };
  return {
    skuId: found[0].skuId,
    skuPartNumber: sku?.skuPartNumber ?? found[0].skuPartNumber,
    assigned: sku?.consumedUnits ?? 0,
    total: prepaidUnits.enabled,
    prepaidUnits,
    subscriptions: subscriptions.filter((s) => s.skuId.toLowerCase() === skuId),
    missing: subscriptionIds.filter((id) => !found.some((s) => commerceId(s) === idKey(id))),
  };
}

/** A subscription id as Partner Center and Graph may write it: any case, with or without braces. */
function idKey(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/^\{(.*)\}$/, '$1');
}
