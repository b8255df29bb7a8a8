import { ApplicationFailure } from '@temporalio/common';
import {
  CatalogResolutionError,
  isPartnerCenterError,
  type CatalogResolver,
  type ResolvedOffer,
} from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { invalidPurchaseRequest } from '../../workflows/purchase/rules';
import type {
  AttestationField,
  InvalidField,
  PurchaseItem,
  ResolveItemsInput,
  ResolvedItem,
} from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import { attestationFieldOf, attestationRequired, attestationText } from './attestation';
import type { PurchaseActivityDeps } from './deps';

/** Binds every item to a purchasable availability; checks quantity bounds and currency. */
export async function resolvePurchaseItems(
  deps: Pick<PurchaseActivityDeps, 'catalog'>,
  input: ResolveItemsInput,
): Promise<ResolvedItem[]> {
  const { catalog } = deps;
  if (input.refresh) catalog.invalidate();
  const resolved: ResolvedItem[] = [];
  const quantityProblems: InvalidField[] = [];
  for (const [index, item] of input.items.entries()) {
    const offer = await resolveOffer(catalog, input, item, index, readOptions());
    const enforcedAttestation = checkPurchasable(offer, item, index);
    const quantityProblem = quantityProblemOf(offer, item, index);
    if (quantityProblem !== undefined) quantityProblems.push(quantityProblem);
    checkCurrency(offer, input, index);
    resolved.push({
      ...toResolvedItem(index, item, offer.catalogItemId),
      ...(enforcedAttestation !== undefined ? { enforcedAttestation } : {}),
      ...addOnBasesOf(offer.sku),
    });
  }
  if (quantityProblems.length > 0) {
    throw invalidPurchaseRequest(quantityProblems);
  }
  return resolved;
}

/**
 * Throws unless the offer is purchasable as the item asks (term and billing) and any attestation it enforces is
 * given; answers which item field accepted an enforced attestation.
 */
function checkPurchasable(offer: ResolvedOffer, item: PurchaseItem, index: number): AttestationField | undefined {
  const field = `items[${index}]`;
  if (offer.availability.isPurchasable === false) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.offerNotPurchasable,
      message: `${field}: ${offer.catalogItemId} is not purchasable`,
      details: [{ item: index, catalogItemId: offer.catalogItemId }],
      nonRetryable: true,
    });
  }
  if (
    offer.term.duration !== item.termDuration ||
    (offer.term.billingCycle !== undefined && offer.term.billingCycle !== item.billingCycle)
  ) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.offerNotPurchasable,
      message: `${field}: ${offer.catalogItemId} is not sold as ${item.termDuration} billed ${item.billingCycle}`,
      details: [{ item: index, catalogItemId: offer.catalogItemId }],
      nonRetryable: true,
    });
  }
  const attestation = offer.availability.sku?.attestationProperties ?? offer.sku.attestationProperties;
  const enforcedAttestation = attestation?.enforceAttestation === true ? attestationFieldOf(attestation) : undefined;
  if (enforcedAttestation !== undefined && item[enforcedAttestation] !== true) {
    throw attestationRequired(index, offer.catalogItemId, enforcedAttestation, attestationText(attestation ?? {}));
  }
  return enforcedAttestation;
}

/** The item's quantity outside the SKU's bounds, as a request problem (every item's are reported together). */
function quantityProblemOf(offer: ResolvedOffer, item: PurchaseItem, index: number): InvalidField | undefined {
  const { minimumQuantity: min, maximumQuantity: max } = offer.sku;
  if ((min !== undefined && item.quantity < min) || (max !== undefined && item.quantity > max)) {
    return {
      field: `items[${index}].quantity`,
      problem: `must be within ${min ?? 1}..${max ?? '∞'} for ${offer.catalogItemId}`,
    };
  }
  return undefined;
}

/** `CurrencyMismatch` when the offer is sold in another currency than the request's. */
function checkCurrency(offer: ResolvedOffer, input: ResolveItemsInput, index: number): void {
  const offerCurrency = offer.availability.defaultCurrency?.code;
  if (input.currency !== undefined && offerCurrency !== undefined && offerCurrency.toUpperCase() !== input.currency) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.currencyMismatch,
      message: `items[${index}]: ${offer.catalogItemId} is sold in ${offerCurrency}, not ${input.currency}`,
      details: [{ item: index, catalogItemId: offer.catalogItemId, expected: input.currency, actual: offerCurrency }],
      nonRetryable: true,
    });
  }
}

async function resolveOffer(
  catalog: CatalogResolver,
  input: ResolveItemsInput,
  item: PurchaseItem,
  index: number,
  options: { correlationId: string; signal: AbortSignal },
): Promise<ResolvedOffer> {
  const { country, segment } = input;
  const { termDuration, billingCycle } = item;
  const { catalogItemId } = item.offer;
  try {
    if (catalogItemId !== undefined && !input.refresh) {
      return await catalog.getByCatalogItemId(catalogItemId, { country, segment, termDuration, billingCycle }, options);
    }
    // A stale catalog item id keeps its product and SKU; the availability is chosen again by term and billing.
    const [productId, skuId] =
      catalogItemId !== undefined ? catalogItemId.split(':') : [item.offer.productId, item.offer.skuId];
    return await catalog.resolve(
      { productId: productId ?? '', skuId: skuId ?? '', termDuration, billingCycle, country, segment },
      options,
    );
  } catch (err) {
    const field = `items[${index}]`;
    const wanted = catalogItemId ?? `${item.offer.productId}:${item.offer.skuId} (${termDuration}, ${billingCycle})`;
    const details = [{ item: index, offer: item.offer }];
    if (err instanceof CatalogResolutionError && err.reason === 'ambiguous') {
      const problems = [
        {
          field: `${field}.offer`,
          problem: `matches several availabilities, name one by catalogItemId (${err.description})`,
        },
      ];
      throw invalidPurchaseRequest(problems);
    }
    if (err instanceof CatalogResolutionError && err.reason === 'not-purchasable') {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.offerNotPurchasable,
        message: `${field}: ${err.description}`,
        details,
        nonRetryable: true,
      });
    }
    if (
      (err instanceof CatalogResolutionError && err.reason === 'not-found') ||
      (isPartnerCenterError(err) && err.kind === 'not-found')
    ) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.catalogItemNotFound,
        message: `${field}: ${wanted} is not in the ${country} ${segment} catalog: ${err.description}`,
        details,
        nonRetryable: true,
      });
    }
    throw toActivityFailure(err, purchaseFailureTypes.offerNotPurchasable);
  }
}

function toResolvedItem(index: number, item: PurchaseItem, catalogItemId: string): ResolvedItem {
  return {
    item: index,
    catalogItemId,
    quantity: item.quantity,
    termDuration: item.termDuration,
    billingCycle: item.billingCycle,
    autoRenew: item.autoRenew,
    ...(item.friendlyName !== undefined ? { friendlyName: item.friendlyName } : {}),
    ...(item.promotionId !== undefined ? { promotionId: item.promotionId } : {}),
    ...(item.attestationAccepted !== undefined ? { attestationAccepted: item.attestationAccepted } : {}),
    ...(item.partnerOnRecordAttestationAccepted !== undefined
      ? { partnerOnRecordAttestationAccepted: item.partnerOnRecordAttestationAccepted }
      : {}),
    ...(item.customTermEndDate !== undefined ? { customTermEndDate: item.customTermEndDate } : {}),
    ...(item.alignWith !== undefined ? { alignWith: item.alignWith } : {}),
    ...(item.provisioningContext !== undefined ? { provisioningContext: item.provisioningContext } : {}),
  };
}

/** An add-on SKU's base products, from its dynamic attributes (their keys may change: read leniently). */
function addOnBasesOf(sku: { dynamicAttributes?: Record<string, unknown> }): { addOnBases?: string[] } {
  const attributes = sku.dynamicAttributes ?? {};
  const bases = attributes.prerequisiteSkus;
  if (attributes.isAddon !== true && attributes.isAddon !== 'true') return {};
  return Array.isArray(bases) && bases.length > 0 ? { addOnBases: bases.map(String) } : {};
}
