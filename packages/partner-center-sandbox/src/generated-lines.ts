import { CATALOG_PRODUCTS, type CatalogProduct } from './catalog';
import { billingFrequency, round2, termDescription } from './billing';
import { DAY_MS, isoDate } from './clock';
import type { GeneratedOwner } from './state';

/**
 * The lines of an invoice's generated Graph export, made one at a time as its blobs are read (a large export never
 * exists whole in the sandbox either): synthetic subscriptions of no customer of the partner (the bench), or the
 * partner's own subscriptions (`owners`, billing.ts GeneratedForWorld), so a reconciliation has lines to match.
 */

/** A generated export's lines: how many, and whose (absent: synthetic subscriptions). */
export interface GeneratedLines {
  kind: 'generated';
  count: number;
  owners?: GeneratedOwner[];
}

/** The export operation a generated line is part of. */
export interface GeneratedExport {
  partnerTenantId: string;
  createdAt: number;
}

/** Line `n` of a generated export. */
export function generatedLine(operation: GeneratedExport, lines: GeneratedLines, n: number): Record<string, unknown> {
  return lines.owners === undefined ? syntheticLine(operation, n) : ownedLine(operation, lines, lines.owners, n);
}

/**
 * Line `n` of an export billing `owners` in turn: an owner's first line is its term or cycle charge, the rest
 * alternate `removeQuantity` and `addQuantity` of one seat (seat changes during the month), the first charge's seats
 * chosen so that the owner's lines net to its `seats`. So every line counts: a line lost or read twice moves
 * an owner's seats, its lines and its amount.
 */
function ownedLine(
  operation: GeneratedExport,
  lines: GeneratedLines,
  owners: readonly GeneratedOwner[],
  n: number,
): Record<string, unknown> {
  const index = n % owners.length;
  const owner = owners[index];
  const occurrence = Math.floor(n / owners.length);
  const changes = Math.floor((lines.count - 1 - index) / owners.length);
  const charge: OwnedCharge =
    occurrence === 0
      ? { chargeType: owner.chargeType, seats: owner.seats + (changes % 2) }
      : occurrence % 2 === 1
        ? { chargeType: 'removeQuantity', seats: -1 }
        : { chargeType: 'addQuantity', seats: 1 };
  return Object.assign(ownedPurchase(operation, owner), ownedCharge(owner, charge, n));
}

interface OwnedCharge {
  chargeType: string;
  /** Signed: negative for a credit. */
  seats: number;
}

/** The first half of an owner's line: who bought what (customer, order, product). */
function ownedPurchase(operation: GeneratedExport, { customer, subscription: s, orderDate }: GeneratedOwner) {
  const product = CATALOG_PRODUCTS.find((p) => p.id === s.productId);
  const sku = product?.skus.find((k) => k.id === s.skuId);
  return {
    PartnerId: operation.partnerTenantId,
    CustomerId: customer.id,
    CustomerName: customer.companyName,
    CustomerDomainName: customer.domain,
    CustomerCountry: customer.country,
    InvoiceNumber: 'G-GENERATED',
    MpnId: '1234567',
    ResellerMpnId: '',
    OrderId: s.orderId,
    OrderDate: isoDate(orderDate),
    ProductId: s.productId,
    SkuId: s.skuId,
    AvailabilityId: s.availabilityId,
    ProductName: product?.title ?? s.offerName,
    SkuName: sku?.title ?? s.offerName,
    ProductQualifiers: [...(sku?.isAddon ? ['AddOn'] : []), ...(s.isTrial ? ['Trial'] : [])],
  };
}

/** The second half of an owner's line: the charge, its subscription and its billing. */
function ownedCharge({ subscription: s, chargeDate }: GeneratedOwner, charge: OwnedCharge, n: number) {
  const subtotal = round2(s.unitPrice * charge.seats);
  const tax = round2(subtotal * 0.1);
  return {
    ChargeType: charge.chargeType,
    UnitPrice: s.unitPrice,
    EffectiveUnitPrice: s.unitPrice,
    UnitType: 'Licenses',
    Quantity: Math.abs(charge.seats),
    BillableQuantity: charge.seats,
    Subtotal: subtotal,
    TaxTotal: tax,
    TotalForCustomer: round2(subtotal + tax),
    Currency: s.currencyCode,
    PricingCurrency: s.currencyCode,
    PCToBCExchangeRate: 1,
    PCToBCExchangeRateDate: isoDate(chargeDate),
    PublisherName: 'Microsoft Corporation',
    PublisherId: '',
    SubscriptionDescription: s.friendlyName || s.offerName,
    SubscriptionId: s.id,
    SubscriptionStartDate: isoDate(s.termStart),
    SubscriptionEndDate: isoDate(s.commitmentEnd),
    ChargeStartDate: isoDate(chargeDate),
    ChargeEndDate: isoDate(Math.min(s.commitmentEnd, chargeDate + 30 * DAY_MS)),
    TermAndBillingCycle: termDescription(s.termDuration),
    BillingFrequency: billingFrequency(s.billingCycle),
    AlternateId: s.orderId,
    ReferenceId: hex(n, 16),
    PriceAdjustmentDescription: '[]',
    DiscountDetails: '',
    MeterDescription: '',
    ReservationOrderId: '',
    CreditReasonCode: '',
    PromotionId: '',
    InvoiceLineItemType: 'billing_line_items',
    BillingProvider: 'one_time',
  };
}

const SUBSCRIPTIONS_IN_GENERATED_EXPORT = 5000;

/**
 * Line `n` of a synthetic export: `new` charges spread over a few thousand synthetic subscriptions of
 * a few hundred customers (none the partner's: a reconciliation reports them unexpected, which is what
 * the bench wants — every line goes through the whole fold). Every field of the documented `full`
 * attribute set is there, spelled as documented (PascalCase), as in the sandbox's own lines: a line's size is
 * what its parse costs.
 */
function syntheticLine(operation: GeneratedExport, n: number): Record<string, unknown> {
  const subscription = n % SUBSCRIPTIONS_IN_GENERATED_EXPORT;
  const line: GeneratedLineFacts = {
    operation,
    n,
    subscription,
    customer: subscription % 500,
    product: CATALOG_PRODUCTS[subscription % CATALOG_PRODUCTS.length],
  };
  // Not a spread: copying ~50 properties into a fresh literal leaves V8 a dictionary-mode object, which
  // JSON.stringify writes ~15× slower (measured) — a million-line export took 90 s to generate instead of 20.
  return Object.assign(generatedPurchase(line), generatedCharge(line));
}

interface GeneratedLineFacts {
  operation: GeneratedExport;
  /** The line's number in the export. */
  n: number;
  /** The synthetic subscription and customer the line is for. */
  subscription: number;
  customer: number;
  product: CatalogProduct;
}

/** The first half of a generated line: who bought what (customer, order, product). */
function generatedPurchase({
  operation,
  subscription,
  customer,
  product,
}: GeneratedLineFacts): Record<string, unknown> {
  const sku = product.skus[0];
  const at = operation.createdAt;
  return {
    PartnerId: operation.partnerTenantId,
    CustomerId: syntheticGuid(1, customer),
    CustomerName: `Generated Customer ${customer}`,
    CustomerDomainName: `generated${customer}.onmicrosoft.com`,
    CustomerCountry: 'US',
    InvoiceNumber: 'G-GENERATED',
    MpnId: '1234567',
    ResellerMpnId: '',
    OrderId: hex(subscription, 12),
    OrderDate: isoDate(at),
    ProductId: product.id,
    SkuId: sku.id,
    AvailabilityId: 'CFQ7TTC0GENR',
    ProductName: product.title,
    SkuName: sku.title,
    ProductQualifiers: [],
  };
}

/** The second half of a generated line: the `new` charge, its subscription and its billing. */
function generatedCharge({ operation, n, subscription, product }: GeneratedLineFacts): Record<string, unknown> {
  const at = operation.createdAt;
  const price = product.skus[0].monthlyPriceUsd;
  return {
    ChargeType: 'new',
    UnitPrice: price,
    EffectiveUnitPrice: price,
    UnitType: 'Licenses',
    Quantity: 1,
    BillableQuantity: 1,
    Subtotal: price,
    TaxTotal: 0,
    TotalForCustomer: price,
    Currency: 'USD',
    PricingCurrency: 'USD',
    PCToBCExchangeRate: 1,
    PCToBCExchangeRateDate: isoDate(at),
    PublisherName: 'Microsoft Corporation',
    PublisherId: '',
    SubscriptionDescription: product.title,
    SubscriptionId: syntheticGuid(2, subscription),
    SubscriptionStartDate: isoDate(at),
    SubscriptionEndDate: isoDate(at + 30 * DAY_MS),
    ChargeStartDate: isoDate(at),
    ChargeEndDate: isoDate(at),
    TermAndBillingCycle: 'One-Month commitment for monthly/yearly billing',
    BillingFrequency: 'Monthly',
    AlternateId: hex(subscription, 12),
    ReferenceId: hex(n, 16),
    PriceAdjustmentDescription: '[]',
    DiscountDetails: '',
    MeterDescription: '',
    ReservationOrderId: '',
    CreditReasonCode: '',
    PromotionId: '',
    InvoiceLineItemType: 'billing_line_items',
    BillingProvider: 'one_time',
  };
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** A GUID-shaped id of a synthetic entity: `kind` tells customers (1) from subscriptions (2). */
function syntheticGuid(kind: number, value: number): string {
  return `${hex(kind, 8)}-0000-4000-8000-${hex(value, 12)}`;
}
