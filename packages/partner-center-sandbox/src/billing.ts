import { CATALOG_PRODUCTS, COUNTRIES, type BillingCycle, type CatalogProduct, type TermDuration } from './catalog';
import { DAY_MS, isoDate, isoTimestamp } from './clock';
import { ApiError } from './errors';
import type { Customer, GeneratedOwner, Invoice, Order, Subscription, World } from './state';

/** New-commerce reconciliation line items (`OneTimeInvoiceLineItem`, partner-center-api.md §7),
 * written as purchases and changes happen, plus a few already-billed invoices. */

export const CHARGE_TYPES = [
  'new',
  'renew',
  'cycleCharge',
  'addQuantity',
  'removeQuantity',
  'cancelImmediate',
  'convert',
] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];

const TERM_DESCRIPTION: Record<TermDuration, string> = {
  P1M: 'One-Month commitment for monthly/yearly billing',
  P1Y: 'One-Year commitment for monthly/yearly billing',
  P3Y: 'Three-Year commitment for monthly/yearly/three-year billing',
};

const BILLING_FREQUENCY: Record<BillingCycle, string> = {
  monthly: 'Monthly',
  annual: 'Annual',
  triennial: 'Triennial',
  none: '',
};

export function termDescription(term: TermDuration): string {
  return TERM_DESCRIPTION[term];
}

export function billingFrequency(cycle: BillingCycle): string {
  return BILLING_FREQUENCY[cycle];
}

/** Records one charge (or credit, with a negative `quantity`) for a subscription. */
export function recordCharge(
  world: World,
  s: Subscription,
  chargeType: ChargeType,
  quantity: number,
  at: number,
  refundFraction = 1,
): void {
  const customer = world.customers.get(s.customerId);
  const order = world.orders.get(s.orderId);
  if (!customer) return;
  const unit = s.isTrial ? 0 : s.unitPrice;
  const subtotal = round2(unit * quantity * (quantity < 0 ? refundFraction : 1));
  world.recon.push({
    at,
    partnerTenantId: customer.partnerTenantId,
    currency: s.currencyCode,
    item: lineItem(world, { customer, order, s, chargeType, quantity, subtotal, unit, at, invoiceNumber: '' }),
  });
}

interface LineFacts {
  customer: Customer;
  order?: Order;
  s: Subscription;
  chargeType: ChargeType;
  quantity: number;
  subtotal: number;
  unit: number;
  at: number;
  invoiceNumber: string;
}

function lineItem(world: World, f: LineFacts): Record<string, unknown> {
  const partner = world.partners.find((p) => p.tenantId === f.customer.partnerTenantId);
  const product = CATALOG_PRODUCTS.find((p) => p.id === f.s.productId);
  const sku = product?.skus.find((k) => k.id === f.s.skuId);
  const tax = round2(f.subtotal * 0.1);
  const orderDate = f.order?.createdAt ?? f.s.createdAt;
  return {
    partnerId: f.customer.partnerTenantId,
    customerId: f.customer.id,
    customerName: f.customer.companyName,
    customerDomainName: f.customer.domain,
    customerCountry: f.customer.country,
    invoiceNumber: f.invoiceNumber,
    mpnId: partner?.mpnId ?? '',
    resellerMpnId: '',
    orderId: f.s.orderId,
    orderDate: isoTimestamp(orderDate),
    productId: f.s.productId,
    skuId: f.s.skuId,
    availabilityId: f.s.availabilityId,
    productName: product?.title ?? f.s.offerName,
    skuName: sku?.title ?? f.s.offerName,
    productQualifiers: [...(sku?.isAddon ? ['AddOn'] : []), ...(f.s.isTrial ? ['Trial'] : [])],
    chargeType: f.chargeType,
    unitPrice: f.unit,
    effectiveUnitPrice: f.unit,
    unitType: 'Licenses',
    quantity: Math.abs(f.quantity),
    billableQuantity: f.quantity,
    subtotal: f.subtotal,
    taxTotal: tax,
    totalForCustomer: round2(f.subtotal + tax),
    currency: f.s.currencyCode,
    pricingCurrency: f.s.currencyCode,
    pcToBCExchangeRate: 1,
    pcToBCExchangeRateDate: isoDate(f.at),
    publisherName: 'Microsoft Corporation',
    publisherId: '',
    subscriptionDescription: f.s.friendlyName || f.s.offerName,
    subscriptionId: f.s.id,
    subscriptionStartDate: isoDate(f.s.termStart),
    subscriptionEndDate: isoDate(f.s.commitmentEnd),
    chargeStartDate: isoDate(f.at),
    chargeEndDate: isoDate(Math.min(f.s.commitmentEnd, f.at + 30 * DAY_MS)),
    termAndBillingCycle: TERM_DESCRIPTION[f.s.termDuration],
    billingFrequency: BILLING_FREQUENCY[f.s.billingCycle],
    alternateId: f.s.orderId,
    referenceId: world.random.hex(16),
    priceAdjustmentDescription: '[]',
    discountDetails: '',
    meterDescription: '',
    reservationOrderId: '',
    creditReasonCode: '',
    promotionId: f.s.promotionId ?? '',
    invoiceLineItemType: 'billing_line_items',
    billingProvider: 'one_time',
    attributes: { objectType: 'OneTimeInvoiceLineItem' },
  };
}

/** Two billed invoices per partner for the months before the sandbox started, each with line items
 * for a few synthetic subscriptions, so invoice listing and billed-line paging have data. */
export function seedInvoices(world: World, now: number): void {
  for (const partner of world.partners) {
    const customers = [...world.customers.values()].filter((c) => c.partnerTenantId === partner.tenantId);
    for (let monthsBack = 2; monthsBack >= 1; monthsBack -= 1)
      seedInvoice(world, partner.tenantId, customers, monthsBack, now);
  }
}

/** The billed invoice of the month `monthsBack` before `now`: three seat batches per customer, each a `new` charge. */
function seedInvoice(
  world: World,
  partnerTenantId: string,
  customers: Customer[],
  monthsBack: number,
  now: number,
): void {
  const periodStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - monthsBack, 1);
  const periodEnd = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - monthsBack + 1, 1) - DAY_MS;
  const id = `G${String(world.random.int(1e9)).padStart(9, '0')}`;
  const lines: Array<Record<string, unknown>> = [];
  customers.forEach((customer, index) => {
    const product = CATALOG_PRODUCTS[(index + monthsBack) % 5];
    const quantity = 5 + index * 3;
    const unit = round2(product.skus[0].monthlyPriceUsd * COUNTRIES[customer.country].rate);
    for (let seatBatch = 0; seatBatch < 3; seatBatch += 1) {
      const s = seededSubscription(world, { customer, product, quantity, unit, periodStart });
      lines.push(
        lineItem(world, {
          customer,
          s,
          chargeType: 'new',
          quantity,
          subtotal: round2(unit * quantity),
          unit,
          at: periodStart,
          invoiceNumber: id,
        }),
      );
    }
  });
  const currency = customers[0] ? COUNTRIES[customers[0].country] : COUNTRIES.US;
  world.invoices.push({
    id,
    partnerTenantId,
    invoiceDate: periodEnd + DAY_MS,
    periodStart,
    periodEnd,
    currencyCode: currency.currency,
    currencySymbol: currency.symbol,
    lines,
  });
}

/** A synthetic one-year subscription of the product's first SKU that started at `periodStart`: billed, never stored in the world. */
function seededSubscription(
  world: World,
  o: { customer: Customer; product: CatalogProduct; quantity: number; unit: number; periodStart: number },
): Subscription {
  const { customer, periodStart } = o;
  const sku = o.product.skus[0];
  return {
    id: world.random.guid(),
    customerId: customer.id,
    orderId: world.random.hex(12),
    productId: o.product.id,
    skuId: sku.id,
    availabilityId: `CFQ7TTC0${world.random.upperAlphanumeric(4)}`,
    offerName: sku.title,
    friendlyName: sku.title,
    quantity: o.quantity,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    status: 'active',
    autoRenewEnabled: true,
    isTrial: false,
    createdAt: periodStart,
    termStart: periodStart,
    commitmentEnd: periodStart + 364 * DAY_MS,
    cancellationAllowedUntil: periodStart + 7 * DAY_MS,
    refundableBatches: [],
    unitPrice: o.unit,
    currencyCode: COUNTRIES[customer.country].currency,
    etag: '',
    provisioning: { readyAt: periodStart },
  };
}

/**
 * What a generated export bills instead of synthetic subscriptions: the partner's subscriptions in the invoice's
 * currency (not cancelled, not pending), each line's seats netting to the subscription's, but those `leaveOut`
 * (a missing charge each) and those billed an `extraSeat` (a quantity mismatch each), plus `unknown` subscriptions
 * nobody has, billed to the partner's customers in turn (an unexpected charge each).
 */
export interface GeneratedForWorld {
  leaveOut: string[];
  extraSeat: string[];
  unknown: number;
}

export interface InvoiceOptions {
  period: 'current' | 'previous';
  currency: string;
  legacy: boolean;
  generatedLines?: number;
  generatedForWorld?: GeneratedForWorld;
}

/**
 * A new invoice of the partner with a copy of its unbilled lines of `period` in `currency` (the sandbox's
 * own purchases and changes, so billed reconciliation of it matches), each line stamped with the invoice number;
 * or, with `generatedLines`, an invoice whose export generates that many lines.
 */
export function billInvoice(world: World, partnerTenantId: string, now: number, options: InvoiceOptions): Invoice {
  const d = new Date(now);
  const back = options.period === 'previous' ? 1 : 0;
  const periodStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
  const nextStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back + 1, 1);
  const id = `G${String(world.random.int(1e9)).padStart(9, '0')}`;
  const currency = options.currency.toUpperCase();
  const generated = options.generatedLines;
  const lines =
    generated !== undefined
      ? []
      : world.recon
          .filter(
            (l) =>
              l.partnerTenantId === partnerTenantId &&
              l.currency === currency &&
              l.at >= periodStart &&
              l.at < nextStart,
          )
          .map((l) => ({ ...l.item, invoiceNumber: id }));
  const owners =
    generated !== undefined && options.generatedForWorld !== undefined
      ? generatedOwners(world, { partnerTenantId, currency, periodStart, nextStart }, options.generatedForWorld)
      : undefined;
  if (owners !== undefined && owners.length > (generated ?? 0))
    throw new ApiError(400, 0, `generatedLines must be at least the ${owners.length} subscriptions billed.`);
  const country = Object.values(COUNTRIES).find((c) => c.currency === currency) ?? COUNTRIES.US;
  const invoice: Invoice = {
    id,
    partnerTenantId,
    invoiceDate: now,
    periodStart,
    periodEnd: nextStart - DAY_MS,
    currencyCode: currency,
    currencySymbol: country.symbol,
    lines,
    ...(options.legacy ? { legacy: true } : {}),
    ...(generated !== undefined ? { generatedLines: generated } : {}),
    ...(owners !== undefined ? { generatedOwners: owners } : {}),
  };
  world.invoices.push(invoice);
  return invoice;
}

interface BilledPeriod {
  partnerTenantId: string;
  currency: string;
  periodStart: number;
  nextStart: number;
}

/** The subscriptions a generated export bills (GeneratedForWorld), in the world's order, the unknown ones last. */
function generatedOwners(world: World, period: BilledPeriod, plan: GeneratedForWorld): GeneratedOwner[] {
  const customers = [...world.customers.values()].filter((c) => c.partnerTenantId === period.partnerTenantId);
  const billable = [...world.subscriptions.values()].filter(
    (s) =>
      customers.some((c) => c.id === s.customerId) &&
      s.currencyCode === period.currency &&
      s.status !== 'deleted' &&
      s.status !== 'pending',
  );
  for (const named of [...plan.leaveOut, ...plan.extraSeat])
    if (!billable.some((s) => s.id === named.toLowerCase()))
      throw new ApiError(400, 0, `Subscription ${named} is not one the invoice can bill (${period.currency}).`);
  const left = new Set(plan.leaveOut.map((named) => named.toLowerCase()));
  const extra = new Set(plan.extraSeat.map((named) => named.toLowerCase()));
  const owners = billable
    .filter((s) => !left.has(s.id))
    .map((s) => ownerOf(world, s, period, s.quantity + (extra.has(s.id) ? 1 : 0)));
  for (let i = 0; i < plan.unknown && customers.length > 0; i += 1)
    owners.push(
      unknownOwner(world, customers[i % customers.length], CATALOG_PRODUCTS[i % CATALOG_PRODUCTS.length], period),
    );
  if (owners.length === 0) throw new ApiError(400, 0, `The partner has no subscription billed in ${period.currency}.`);
  return owners;
}

/** A subscription of the world billed for `seats`: a term that started in the period is charged `new` (or `renew`), else a cycle. */
function ownerOf(world: World, s: Subscription, period: BilledPeriod, seats: number): GeneratedOwner {
  const { id, companyName, domain, country } = world.customers.get(s.customerId)!;
  const termStarted = s.termStart >= period.periodStart && s.termStart < period.nextStart;
  return {
    // Copies: the invoice bills the subscription as it is now, whatever happens to it later.
    customer: { id, companyName, domain, country },
    subscription: {
      id: s.id,
      orderId: s.orderId,
      productId: s.productId,
      skuId: s.skuId,
      availabilityId: s.availabilityId,
      offerName: s.offerName,
      friendlyName: s.friendlyName,
      termDuration: s.termDuration,
      billingCycle: s.billingCycle,
      termStart: s.termStart,
      commitmentEnd: s.commitmentEnd,
      isTrial: s.isTrial,
      unitPrice: s.unitPrice,
      currencyCode: s.currencyCode,
    },
    orderDate: world.orders.get(s.orderId)?.createdAt ?? s.createdAt,
    chargeType: !termStarted ? 'cycleCharge' : s.termStart - s.createdAt > 2 * DAY_MS ? 'renew' : 'new',
    chargeDate: termStarted ? s.termStart : period.periodStart,
    seats,
  };
}

/** A one-seat, one-month subscription of the product that the customer does not have. */
function unknownOwner(world: World, customer: Customer, product: CatalogProduct, period: BilledPeriod): GeneratedOwner {
  const sku = product.skus[0];
  const { id, companyName, domain, country } = customer;
  return {
    customer: { id, companyName, domain, country },
    subscription: {
      id: world.random.guid(),
      orderId: world.random.hex(12),
      productId: product.id,
      skuId: sku.id,
      availabilityId: 'CFQ7TTC0UNKN',
      offerName: sku.title,
      friendlyName: sku.title,
      termDuration: 'P1M',
      billingCycle: 'monthly',
      termStart: period.periodStart,
      commitmentEnd: period.nextStart - DAY_MS,
      isTrial: false,
      unitPrice: sku.monthlyPriceUsd,
      currencyCode: period.currency,
    },
    orderDate: period.periodStart,
    chargeType: 'new',
    chargeDate: period.periodStart,
    seats: 1,
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
