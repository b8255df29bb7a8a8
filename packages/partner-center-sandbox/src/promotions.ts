import { z } from 'zod';
import { countryOf } from './routes/catalog';
import { badRequest, notFound } from './errors';
import { collection, jsonBody, link, looseEnum, parseWith, queryValue } from './http';
import { customerOf, type Route } from './router';
import type { BillingCycle, TermDuration } from './catalog';
import type { World } from './state';

/** New-commerce promotions (docs/sandbox.md, Purchase prerequisites): a seeded catalogue per product, SKU, term
 * and billing cycle, with seat caps per customer and redemption limits, and the eligibility check partners call
 * before the cart (reference §8). A cart line with an ineligible promotion gets 10014. */

export interface SandboxPromotion {
  id: string;
  name: string;
  productId: string;
  skuId: string;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  percentDiscount: number;
  /** Seats one purchase must hold. */
  minimumSeats: number;
  /** Seats the customer may hold at the promotional price, over all its purchases. */
  maximumSeats: number;
  /** Purchases per customer with this promotion (unlimited when absent). */
  redemptionLimit?: number;
}

const BUSINESS_BASIC = { productId: 'CFQ7TTC0LH18', skuId: '0001' };

/** Two Business Basic one-year monthly promotions compete ('best' must pick the larger eligible one). */
export const PROMOTIONS: readonly SandboxPromotion[] = [
  {
    id: '39NFJQT1Q5KL:0001:39NFJQT1BB10',
    name: 'Business Basic 10% off, one year billed monthly',
    ...BUSINESS_BASIC,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    percentDiscount: 10,
    minimumSeats: 1,
    maximumSeats: 300,
  },
  {
    id: '39NFJQT1Q5KL:0001:39NFJQT1BB20',
    name: 'Business Basic 20% off for up to 10 seats, one year billed monthly',
    ...BUSINESS_BASIC,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    percentDiscount: 20,
    minimumSeats: 1,
    maximumSeats: 10,
  },
  {
    id: '39NFJQT1Q5KL:0001:39NFJQT1BBA5',
    name: 'Business Basic 15% off, one year paid up front, once per customer',
    ...BUSINESS_BASIC,
    termDuration: 'P1Y',
    billingCycle: 'annual',
    percentDiscount: 15,
    minimumSeats: 5,
    maximumSeats: 300,
    redemptionLimit: 1,
  },
];

const PROMOTION_START = '2026-01-01T00:00:00Z';
const PROMOTION_END = '2027-12-31T23:59:59Z';

export function findPromotion(promotionId: string): SandboxPromotion | undefined {
  return PROMOTIONS.find((p) => p.id.toLowerCase() === promotionId.toLowerCase());
}

function promotionJson(p: SandboxPromotion, country: string, segment: string): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    description: p.name,
    startDate: PROMOTION_START,
    endDate: PROMOTION_END,
    status: 'active',
    country,
    segment,
    policyType: 'discount',
    requirements: {
      customerType: 'newAndExisting',
      productScope: {
        id: `${p.productId}:${p.skuId}`,
        term: { duration: p.termDuration, billingCycle: p.billingCycle },
      },
      seatCount: { minimum: p.minimumSeats, maximum: p.maximumSeats },
    },
    pricingPolicies: [{ policyType: 'discount', percentDiscount: p.percentDiscount }],
    links: { self: link(`/productPromotions/${p.id}?country=${country}`) },
    attributes: { objectType: 'ProductPromotion' },
  };
}

export interface EligibilityQuestion {
  catalogItemId: string;
  quantity: number;
  termDuration: string;
  billingCycle: string;
  promotionId: string;
}

export interface EligibilityError {
  type: string;
  description: string;
  minimumRequiredSeats?: number;
  maximumRequiredSeats?: number;
  availableSeats?: number;
}

/** Why `q` may not use its promotion for `customerId` (empty: eligible). The same rules decide cart line 10014. */
export function eligibilityErrors(world: World, customerId: string, q: EligibilityQuestion): EligibilityError[] {
  const promotion = findPromotion(q.promotionId);
  if (promotion === undefined)
    return [{ type: 'InvalidPromotion', description: `Promotion ${q.promotionId} does not exist or has ended.` }];
  const [productId, skuId] = q.catalogItemId.split(':');
  if (productId?.toUpperCase() !== promotion.productId || skuId !== promotion.skuId) {
    return [
      { type: 'InvalidCatalogItemId', description: `Promotion ${promotion.id} does not apply to ${q.catalogItemId}.` },
    ];
  }
  const errors: EligibilityError[] = [];
  if (q.termDuration !== promotion.termDuration || q.billingCycle.toLowerCase() !== promotion.billingCycle) {
    errors.push({
      type: 'Term',
      description: `Promotion ${promotion.id} applies to ${promotion.termDuration} billed ${promotion.billingCycle} only.`,
    });
  }
  const redeemed = [...world.subscriptions.values()].filter(
    (s) =>
      s.customerId === customerId &&
      s.promotionId?.toLowerCase() === promotion.id.toLowerCase() &&
      s.status !== 'deleted',
  );
  const seatsHeld = redeemed.reduce((sum, s) => sum + s.quantity, 0);
  const available = Math.max(0, promotion.maximumSeats - seatsHeld);
  if (q.quantity < promotion.minimumSeats || q.quantity > available) {
    errors.push({
      type: 'SeatCount',
      description: `The promotion needs ${promotion.minimumSeats}..${promotion.maximumSeats} seats per customer; ${available} are still available.`,
      minimumRequiredSeats: promotion.minimumSeats,
      maximumRequiredSeats: promotion.maximumSeats,
      availableSeats: available,
    });
  }
  if (promotion.redemptionLimit !== undefined && redeemed.length >= promotion.redemptionLimit) {
    errors.push({
      type: 'RedemptionLimit',
      description: `The customer already redeemed promotion ${promotion.id} ${redeemed.length} time(s) (limit ${promotion.redemptionLimit}).`,
    });
  }
  return errors;
}

const eligibilityInputSchema = z.looseObject({
  items: z
    .array(
      z.looseObject({
        id: z.number().int().min(0),
        catalogItemId: z.string().min(1),
        quantity: z.number().int().min(1),
        termDuration: looseEnum(['P1M', 'P1Y', 'P3Y']),
        billingCycle: looseEnum(['monthly', 'annual', 'triennial', 'none']),
        promotionId: z.string().min(1),
      }),
    )
    .min(1)
    .max(50),
});

export const promotionRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/productPromotions',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const segment = (queryValue(ctx.url, 'segment') ?? '').toLowerCase();
      if (segment === '') throw badRequest('segment', 'is a required query parameter');
      const items = segment === 'commercial' ? PROMOTIONS : [];
      return {
        status: 200,
        body: collection(
          items.map((p) => promotionJson(p, country, segment)),
          `/productPromotions?country=${country}&segment=${segment}`,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/productPromotions/{promotionId}',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const promotion = findPromotion(ctx.params.promotionId);
      if (promotion === undefined) throw notFound(27007, `Promotion ${ctx.params.promotionId} was not found.`);
      return { status: 200, body: promotionJson(promotion, country, 'commercial') };
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/promotionEligibilities',
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const input = parseWith(eligibilityInputSchema, jsonBody(ctx.rawBody));
      const items = input.items.map((item) => {
        const errors = eligibilityErrors(ctx.runtime.world, customer.id, item);
        return {
          id: item.id,
          catalogItemId: item.catalogItemId,
          eligibilities: [{ promotionId: item.promotionId, isEligible: errors.length === 0, errors }],
        };
      });
      return { status: 200, body: collection(items, `/customers/${customer.id}/promotionEligibilities`) };
    },
  },
];
