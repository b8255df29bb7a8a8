import {
  billingCyclesFor,
  catalogItemId,
  COUNTRIES,
  type CatalogAvailability,
  type CatalogProduct,
  type CatalogSku,
  type Country,
  type Segment,
  type TermDuration,
} from '../catalog';
import { ApiError, badRequest, notFound } from '../errors';
import { collection, link, queryValue, requireQuery } from '../http';
import type { ApiContext, Route } from '../router';
import { termDescription } from '../billing';

/** GET products / SKUs / availabilities (partner-center-api.md §3). */

const SEGMENTS: Segment[] = ['commercial', 'education', 'government', 'nonprofit'];
const TARGET_VIEWS = [
  'Azure',
  'AzureReservations',
  'AzureReservationsVM',
  'AzureReservationsSQL',
  'AzureReservationsCosmosDb',
  'MicrosoftAzure',
  'OnlineServices',
  'Software',
  'SoftwareSUSELinux',
  'SoftwarePerpetual',
  'SoftwareSubscriptions',
  'SpecializedOffers',
  'MarketplaceSaaS',
];

export function countryOf(ctx: ApiContext): Country {
  const country = requireQuery(ctx.url, 'country').toUpperCase();
  if (!(country in COUNTRIES))
    throw new ApiError(
      403,
      2030,
      `The partner is not onboarded to sell in country '${country}'. Supported sandbox countries: ${Object.keys(COUNTRIES).join(', ')}.`,
    );
  return country as Country;
}

function segmentOf(ctx: ApiContext): Segment | undefined {
  const value = queryValue(ctx.url, 'targetSegment');
  if (value === undefined || value === '') return undefined;
  const segment = SEGMENTS.find((s) => s === value.toLowerCase());
  if (!segment) throw badRequest('targetSegment', `must be one of ${SEGMENTS.join(', ')}`);
  return segment;
}

function productOf(ctx: ApiContext): CatalogProduct {
  const product = ctx.runtime.world.catalog.findProduct(ctx.params.productId);
  if (!product) throw notFound(400013, `Product with id ${ctx.params.productId} was not found.`);
  return product;
}

function skuOf(ctx: ApiContext, product: CatalogProduct): CatalogSku {
  const sku = product.skus.find((s) => s.id === ctx.params.skuId);
  if (!sku) throw notFound(400018, `Sku with id ${ctx.params.skuId} was not found for product ${product.id}.`);
  return sku;
}

export function productJson(product: CatalogProduct, country: string): Record<string, unknown> {
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
    isMicrosoftProduct: true,
    publisherName: 'Microsoft Corporation',
    links: {
      skus: link(`/products/${product.id}/skus?country=${country}`),
      self: link(`/products/${product.id}?country=${country}`),
    },
    attributes: { objectType: 'Product' },
  };
}

export function skuJson(product: CatalogProduct, sku: CatalogSku, country: string): Record<string, unknown> {
  const cycles = [...new Set(sku.terms.flatMap((t) => billingCyclesFor(sku, t)))];
  return {
    id: sku.id,
    productId: product.id,
    title: sku.title,
    description: sku.description,
    minimumQuantity: sku.minimumQuantity,
    maximumQuantity: sku.maximumQuantity,
    isTrial: sku.isTrial,
    supportedBillingCycles: cycles,
    purchasePrerequisites: ['MicrosoftCustomerAgreement', ...(sku.inventory !== undefined ? ['InventoryCheck'] : [])],
    inventoryVariables: [],
    provisioningVariables: [],
    actions: sku.isTrial ? [] : ['Refund'],
    dynamicAttributes: {
      isMicrosoftProduct: true,
      hasConstraints: false,
      isAddon: sku.isAddon,
      prerequisiteSkus: sku.prerequisiteSkus,
      isSoftwareAssuranceApplicable: false,
      upgradeTargetOffers: [],
    },
    ...(sku.attestation !== undefined
      ? {
          attestationProperties: {
            attestationType: sku.attestation.type,
            enforceAttestation: true,
            attestationText: sku.attestation.text,
          },
        }
      : {}),
    links: {
      availabilities: link(`/products/${product.id}/skus/${sku.id}/availabilities?country=${country}`),
      self: link(`/products/${product.id}/skus/${sku.id}?country=${country}`),
    },
    attributes: { objectType: 'Sku' },
  };
}

const CYCLE_LABEL = { monthly: 'Monthly', annual: 'Annual', triennial: 'Triennial', none: 'None' } as const;

export function availabilityJson(a: CatalogAvailability): Record<string, unknown> {
  const currency = COUNTRIES[a.country];
  const renewTerms: TermDuration[] = a.termDuration === 'P1M' ? ['P1M'] : ['P1Y', 'P1M'];
  return {
    id: a.id,
    productId: a.product.id,
    skuId: a.sku.id,
    catalogItemId: catalogItemId(a),
    defaultCurrency: { code: currency.currency, symbol: currency.symbol },
    segment: a.segment,
    country: a.country,
    isPurchasable: a.isPurchasable,
    isRenewable: !a.sku.isTrial,
    renewalInstructions: [],
    terms: billingCyclesFor(a.sku, a.termDuration).map((cycle) => ({
      id: `${a.id.toLowerCase().slice(-6)}${a.termDuration.toLowerCase()}${cycle.slice(0, 1)}`,
      duration: a.termDuration,
      description: termDescription(a.termDuration),
      // Capitalised here, as in the documentation's availability example.
      billingCycle: CYCLE_LABEL[cycle],
      renewalOptions: renewTerms.map((t) => ({ termDuration: t, description: termDescription(t) })),
      cancellationPolicies: a.sku.isTrial
        ? []
        : [
            {
              refundOptions: [
                { sequenceId: 0, type: 'Full', expiresAfter: 'P1D' },
                { sequenceId: 1, type: 'Partial', expiresAfter: 'P7D' },
              ],
            },
          ],
    })),
    includedQuantityOptions: [],
    product: productJson(a.product, a.country),
    sku: skuJson(a.product, a.sku, a.country),
    links: { self: link(`/products/${a.product.id}/skus/${a.sku.id}/availabilities/${a.id}?country=${a.country}`) },
    attributes: { objectType: 'Availability' },
  };
}

export const catalogRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/products',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const view = requireQuery(ctx.url, 'targetView');
      const knownView = TARGET_VIEWS.find((v) => v.toLowerCase() === view.toLowerCase());
      if (!knownView) throw badRequest('targetView', `must be one of ${TARGET_VIEWS.join(', ')}`);
      const segment = segmentOf(ctx);
      // The sandbox sells only new-commerce licences, which Partner Center lists under OnlineServices.
      const products =
        knownView === 'OnlineServices'
          ? ctx.runtime.world.catalog.products.filter(
              (p) => !segment || p.skus.some((s) => s.segments.includes(segment)),
            )
          : [];
      return {
        status: 200,
        body: collection(
          products.map((p) => productJson(p, country)),
          `/products?country=${country}&targetView=${knownView}`,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/products/{productId}',
    handle: (ctx) => {
      const country = countryOf(ctx);
      return { status: 200, body: productJson(productOf(ctx), country) };
    },
  },
  {
    method: 'GET',
    template: '/v1/products/{productId}/skus',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const segment = segmentOf(ctx);
      const product = productOf(ctx);
      const skus = product.skus.filter((s) => (segment ? s.segments.includes(segment) : true));
      return {
        status: 200,
        body: collection(
          skus.map((s) => skuJson(product, s, country)),
          `/products/${product.id}/skus?country=${country}`,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/products/{productId}/skus/{skuId}',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const product = productOf(ctx);
      return { status: 200, body: skuJson(product, skuOf(ctx, product), country) };
    },
  },
  {
    method: 'GET',
    template: '/v1/products/{productId}/skus/{skuId}/availabilities',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const segment = segmentOf(ctx);
      const product = productOf(ctx);
      const sku = skuOf(ctx, product);
      const items = ctx.runtime.world.catalog.availabilitiesFor(product.id, sku.id, country, segment);
      return {
        status: 200,
        body: collection(
          items.map(availabilityJson),
          `/products/${product.id}/skus/${sku.id}/availabilities?country=${country}`,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/products/{productId}/skus/{skuId}/availabilities/{availabilityId}',
    handle: (ctx) => {
      const country = countryOf(ctx);
      const product = productOf(ctx);
      const sku = skuOf(ctx, product);
      const availability = ctx.runtime.world.catalog.findAvailability(product.id, sku.id, ctx.params.availabilityId);
      if (!availability || availability.country !== country) {
        throw notFound(
          400019,
          `Availability with id ${ctx.params.availabilityId} was not found for ${product.id}:${sku.id} in ${country}.`,
        );
      }
      return { status: 200, body: availabilityJson(availability) };
    },
  },
];
