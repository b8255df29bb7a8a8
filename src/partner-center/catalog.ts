/**
 * Catalog resolution (docs/seams.md §2): from `{ productId, skuId }` + term + billing cycle +
 * country + segment to exactly one purchasable availability and its `catalogItemId`.
 * Catalog reads are cached in-process for a short time; availability ids rotate (reference §3.4),
 * so a 400019 at checkout should be followed by `invalidate()` and a fresh resolve.
 */
import { PartnerCenterBusinessError, PartnerCenterNotFoundError, type PartnerCenterErrorDetails } from './errors';
import type { Availability, Product, Sku, Term } from './schemas';
import type { CatalogResolver, OfferQuery, PartnerCenterClient, RequestOptions, ResolvedOffer } from './types';

export type CatalogResolutionFailure = 'not-found' | 'ambiguous' | 'not-purchasable';

/** No single purchasable offer matches. `reason` tells the caller which workflow failure it is. */
export class CatalogResolutionError extends PartnerCenterBusinessError {
  readonly reason: CatalogResolutionFailure;
  constructor(reason: CatalogResolutionFailure, details: PartnerCenterErrorDetails) {
    super(details, details.description);
    this.reason = reason;
  }
}

/** A cache-only resolution (`cacheOnly()`) needed a catalog read that is not cached: answering would call Partner Center. */
export class CatalogNotCachedError extends Error {
  constructor(key: string) {
    super(`The catalog read ${key} is not cached`);
    this.name = 'CatalogNotCachedError';
  }
}

export interface CatalogResolverOptions {
  /** How long catalog reads are reused. Default 5 minutes. */
  ttlMs?: number;
  now?: () => number;
}

const DEFAULT_TTL_MS = 5 * 60_000;

/** The catalog reads the resolver needs; any PartnerCenterClient has them. */
export type CatalogReader = Pick<PartnerCenterClient, 'getProduct' | 'getSku' | 'listAvailabilities'>;

export function createCatalogResolver(client: CatalogReader, options: CatalogResolverOptions = {}): CatalogResolver {
  return resolverOver(new CachedCatalog(client, options.ttlMs ?? DEFAULT_TTL_MS, options.now ?? Date.now));
}

function resolverOver(catalog: CachedCatalog): CatalogResolver {
  return {
    resolve: (q, o) => resolveOffer(catalog, q, o),
    getByCatalogItemId: (catalogItemId, q, o) => resolveCatalogItem(catalog, catalogItemId, q, o),
    invalidate: () => catalog.clear(),
    cacheOnly: () => resolverOver(catalog.cacheOnly()),
  };
}

/** A SKU as resolution reads it: its product, itself, and its availabilities in one market. */
type SkuReads = [product: Product, sku: Sku, availabilities: Availability[]];

/**
 * The catalog reads, kept for `ttlMs`. Promises are cached so concurrent resolutions share one read; failures
 * are not kept.
 */
class CachedCatalog {
  private readonly client: CatalogReader;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache: Map<string, { expiresAt: number; value: Promise<unknown> }>;
  /** False in a cache-only view: a read that is not cached rejects with CatalogNotCachedError. */
  private readonly readThrough: boolean;

  constructor(
    client: CatalogReader,
    ttlMs: number,
    now: () => number,
    shared: { cache: CachedCatalog['cache']; readThrough: boolean } = { cache: new Map(), readThrough: true },
  ) {
    this.client = client;
    this.ttlMs = ttlMs;
    this.now = now;
    this.cache = shared.cache;
    this.readThrough = shared.readThrough;
  }

  /** The same cache, read without calling Partner Center. */
  cacheOnly(): CachedCatalog {
    return new CachedCatalog(this.client, this.ttlMs, this.now, { cache: this.cache, readThrough: false });
  }

  /** The product, the SKU and the SKU's availabilities in the market, read together. */
  readSku(
    productId: string,
    skuId: string,
    { country, segment }: { country: string; segment: string },
    o?: RequestOptions,
  ): Promise<SkuReads> {
    return Promise.all([
      this.product(productId, country, o),
      this.sku(productId, skuId, country, o),
      this.availabilities(productId, skuId, country, segment, o),
    ]);
  }

  private product(productId: string, country: string, o?: RequestOptions): Promise<Product> {
    return this.cached(
      `product|${productId}|${country}`,
      (shared) =>
        notFoundAs(
          `Product ${productId} does not exist in ${country}`,
          this.client.getProduct(productId, { country }, shared),
        ),
      o,
    );
  }

  private sku(productId: string, skuId: string, country: string, o?: RequestOptions): Promise<Sku> {
    return this.cached(
      `sku|${productId}|${skuId}|${country}`,
      (shared) =>
        notFoundAs(
          `SKU ${productId}:${skuId} does not exist in ${country}`,
          this.client.getSku(productId, skuId, { country }, shared),
        ),
      o,
    );
  }

  private availabilities(
    productId: string,
    skuId: string,
    country: string,
    segment: string,
    o?: RequestOptions,
  ): Promise<Availability[]> {
    return this.cached(
      `availabilities|${productId}|${skuId}|${country}|${segment}`,
      (shared) =>
        notFoundAs(
          `SKU ${productId}:${skuId} has no availabilities in ${country}`,
          this.client.listAvailabilities(productId, skuId, { country, targetSegment: segment }, shared),
        ),
      o,
    );
  }

  clear(): void {
    this.cache.clear();
  }

  /** A shared read must not die with one caller: only the correlation id is passed on, not its signal. */
  private cached<T>(key: string, read: (o: RequestOptions) => Promise<T>, o?: RequestOptions): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value as Promise<T>;
    if (!this.readThrough) return Promise.reject(new CatalogNotCachedError(key));
    const value = read({ correlationId: o?.correlationId });
    const entry = { expiresAt: this.now() + this.ttlMs, value };
    this.cache.set(key, entry);
    value.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
    return value;
  }
}

async function resolveOffer(catalog: CachedCatalog, q: OfferQuery, o?: RequestOptions): Promise<ResolvedOffer> {
  const [p, s, all] = await catalog.readSku(q.productId, q.skuId, { country: q.country, segment: q.segment }, o);
  const offer = `${q.productId}:${q.skuId} (${q.termDuration}, ${q.billingCycle}, ${q.country}, ${q.segment})`;
  assertBillingCycleSupported(s, q.billingCycle, offer);
  const matches = all
    .filter((a) => sameMarket(a, q.country, q.segment))
    .flatMap((a) => {
      const term = pickTerm(a, q.termDuration, q.billingCycle);
      return term ? [{ availability: a, term }] : [];
    });
  const purchasable = matches.filter((m) => m.availability.isPurchasable !== false);
  if (purchasable.length === 1) {
    const [{ availability, term }] = purchasable;
    return { catalogItemId: availability.catalogItemId, product: p, sku: s, availability, term };
  }
  if (purchasable.length > 1) {
    const ids = purchasable.map((m) => m.availability.catalogItemId).join(', ');
    throw new CatalogResolutionError('ambiguous', {
      description: `Several availabilities match ${offer}: ${ids}; name one by catalogItemId`,
    });
  }
  if (matches.length > 0) {
    throw new CatalogResolutionError('not-purchasable', {
      description: `The availability for ${offer} is not purchasable`,
    });
  }
  const offered = describeTerms(all);
  throw new CatalogResolutionError('not-found', {
    description: `No availability matches ${offer}${offered ? `; offered: ${offered}` : ''}`,
  });
}

type CatalogItemQuery = Parameters<CatalogResolver['getByCatalogItemId']>[1];

async function resolveCatalogItem(
  catalog: CachedCatalog,
  catalogItemId: string,
  q: CatalogItemQuery,
  o?: RequestOptions,
): Promise<ResolvedOffer> {
  const parts = catalogItemId.split(':');
  if (parts.length !== 3 || parts.some((part) => part.trim() === '')) {
    throw new CatalogResolutionError('not-found', {
      description: `Catalog item id ${catalogItemId} is not of the form PRODUCT:SKU:AVAILABILITY`,
    });
  }
  const [productId, skuId, availabilityId] = parts;
  const [p, s, all] = await catalog.readSku(productId, skuId, { country: q.country, segment: q.segment }, o);
  const wanted = catalogItemId.toLowerCase();
  const availability = all.find(
    (a) => a.catalogItemId.toLowerCase() === wanted || a.id.toLowerCase() === availabilityId.toLowerCase(),
  );
  const where = `${q.country}, ${q.segment}`;
  if (!availability || !sameMarket(availability, q.country, q.segment)) {
    throw new CatalogResolutionError('not-found', {
      description: `Catalog item ${catalogItemId} is not available (${where}); availability ids rotate, re-read the catalog`,
    });
  }
  if (q.billingCycle) assertBillingCycleSupported(s, q.billingCycle, catalogItemId);
  const term = singleTerm(availability, catalogItemId, q);
  if (availability.isPurchasable === false) {
    throw new CatalogResolutionError('not-purchasable', {
      description: `Catalog item ${catalogItemId} is not purchasable (${where})`,
    });
  }
  return { catalogItemId: availability.catalogItemId, product: p, sku: s, availability, term };
}

/** The one term of the availability for the query's duration and billing cycle (any term when it names none). */
function singleTerm(availability: Availability, catalogItemId: string, q: CatalogItemQuery): Term {
  const terms = q.termDuration
    ? [pickTerm(availability, q.termDuration, q.billingCycle)].filter((t): t is Term => t !== undefined)
    : availability.terms;
  if (terms.length !== 1) {
    const wantedTerm = [q.termDuration, q.billingCycle].filter(Boolean).join(', ') || 'any term';
    throw new CatalogResolutionError(terms.length === 0 ? 'not-found' : 'ambiguous', {
      description: `Catalog item ${catalogItemId} has ${terms.length === 0 ? 'no' : 'several'} terms for ${wantedTerm}; offered: ${describeTerms([availability]) || 'none'}`,
    });
  }
  return terms[0];
}

/** An availability without segment/country is taken to be for the market it was listed in. */
function sameMarket(a: Availability, country: string, segment: string): boolean {
  const countryOk = !a.country || a.country.toLowerCase() === country.toLowerCase();
  const segmentOk = !a.segment || a.segment.toLowerCase() === segment.toLowerCase();
  return countryOk && segmentOk;
}

/**
 * The availability's term for this duration and billing cycle. A term that names the billing
 * cycle exactly wins over one that names none (terms often leave it out).
 */
function pickTerm(a: Availability, termDuration: string, billingCycle: string | undefined): Term | undefined {
  const sameDuration = a.terms.filter((t) => t.duration.toLowerCase() === termDuration.toLowerCase());
  if (!billingCycle) return sameDuration.length === 1 ? sameDuration[0] : undefined;
  const exact = sameDuration.filter((t) => t.billingCycle?.toLowerCase() === billingCycle.toLowerCase());
  if (exact.length > 0) return exact[0];
  const open = sameDuration.filter((t) => t.billingCycle === undefined);
  return open[0];
}

function assertBillingCycleSupported(s: Sku, billingCycle: string, offer: string): void {
  const supported = s.supportedBillingCycles ?? [];
  if (supported.length > 0 && !supported.some((cycle) => cycle.toLowerCase() === billingCycle.toLowerCase())) {
    throw new CatalogResolutionError('not-found', {
      description: `Billing cycle ${billingCycle} is not offered for ${offer}; supported: ${supported.join(', ')}`,
    });
  }
}

function describeTerms(all: Availability[]): string {
  return all
    .flatMap((a) =>
      a.terms.map(
        (t) =>
          `${a.catalogItemId} ${t.duration}${t.billingCycle ? `/${t.billingCycle}` : ''}${a.segment ? ` ${a.segment}` : ''}`,
      ),
    )
    .slice(0, 10)
    .join(', ');
}

/** A 404 from the catalog becomes a resolution failure with a sentence a person can act on. */
async function notFoundAs<T>(description: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof PartnerCenterNotFoundError) {
      throw new CatalogResolutionError('not-found', {
        description,
        status: error.status,
        code: error.code,
        requestId: error.requestId,
        cause: error,
      });
    }
    throw error;
  }
}
