/** Resolution rules and caching of the catalog resolver, over an in-memory catalog (pure logic). */
import {
  CatalogNotCachedError,
  CatalogResolutionError,
  createCatalogResolver,
  PartnerCenterNotFoundError,
  type Availability,
  type CatalogReader,
  type Product,
  type Sku,
} from '../../../src/partner-center';

const product: Product = { id: 'CFQ7TTC0LH18', title: 'Microsoft 365 Business Basic' };
const sku: Sku = { id: '0001', productId: product.id, supportedBillingCycles: ['monthly', 'annual'] };

function availability(id: string, terms: Availability['terms'], extra: Partial<Availability> = {}): Availability {
  return {
    id,
    productId: product.id,
    skuId: sku.id,
    catalogItemId: `${product.id}:${sku.id}:${id}`,
    segment: 'commercial',
    country: 'US',
    isPurchasable: true,
    terms,
    ...extra,
  };
}

const monthlyP1M = availability('AV1M', [{ duration: 'P1M', billingCycle: 'monthly' }]);
const annualP1Y = availability('AV1YA', [{ duration: 'P1Y', billingCycle: 'annual' }]);
const monthlyP1Y = availability('AV1YM', [{ duration: 'P1Y', billingCycle: 'monthly' }]);
const openP3Y = availability('AV3Y', [{ duration: 'P3Y', description: 'three years' }]);

function fakeCatalog(availabilities: Availability[]) {
  const reads = { products: 0, skus: 0, availabilities: 0 };
  const reader: CatalogReader = {
    getProduct: async (productId) => {
      reads.products += 1;
      if (productId !== product.id)
        throw new PartnerCenterNotFoundError({ status: 404, code: 400013, description: 'Product not found' });
      return product;
    },
    getSku: async () => {
      reads.skus += 1;
      return sku;
    },
    listAvailabilities: async () => {
      reads.availabilities += 1;
      return availabilities;
    },
  };
  return { reader, reads };
}

const query = { productId: product.id, skuId: sku.id, country: 'US', segment: 'commercial' };

async function failure(promise: Promise<unknown>): Promise<CatalogResolutionError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CatalogResolutionError);
  return error as CatalogResolutionError;
}

describe('resolve', () => {
  const { reader } = fakeCatalog([monthlyP1M, annualP1Y, monthlyP1Y, openP3Y]);
  const catalog = createCatalogResolver(reader);

  test('picks the one availability with the term and billing cycle', async () => {
    const offer = await catalog.resolve({ ...query, termDuration: 'P1Y', billingCycle: 'monthly' });
    expect(offer.catalogItemId).toBe(`${product.id}:${sku.id}:AV1YM`);
    expect(offer.term).toMatchObject({ duration: 'P1Y', billingCycle: 'monthly' });
    expect(offer.product).toBe(product);
    expect(offer.sku).toBe(sku);
  });

  test('a term without a billing cycle matches any cycle the SKU supports', async () => {
    const offer = await catalog.resolve({ ...query, termDuration: 'P3Y', billingCycle: 'annual' });
    expect(offer.availability.id).toBe('AV3Y');
  });

  test('nothing matching is not-found and lists what is offered', async () => {
    const error = await failure(catalog.resolve({ ...query, termDuration: 'P1M', billingCycle: 'annual' }));
    expect(error.reason).toBe('not-found');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('AV1M P1M/monthly');
  });

  test('a billing cycle the SKU does not support is not-found', async () => {
    const error = await failure(catalog.resolve({ ...query, termDuration: 'P3Y', billingCycle: 'triennial' }));
    expect(error.reason).toBe('not-found');
    expect(error.message).toMatch(/supported: monthly, annual/);
  });

  test('an unknown product is not-found with a readable sentence', async () => {
    const error = await failure(
      catalog.resolve({ ...query, productId: 'NOPE', termDuration: 'P1M', billingCycle: 'monthly' }),
    );
    expect(error.reason).toBe('not-found');
    expect(error.message).toBe('Product NOPE does not exist in US');
    expect(error.code).toBe(400013);
  });
});

test('several matches are ambiguous and name the candidates', async () => {
  const twin = availability('AV1MB', [{ duration: 'P1M', billingCycle: 'monthly' }]);
  const catalog = createCatalogResolver(fakeCatalog([monthlyP1M, twin]).reader);
  const error = await failure(catalog.resolve({ ...query, termDuration: 'P1M', billingCycle: 'monthly' }));
  expect(error.reason).toBe('ambiguous');
  expect(error.message).toContain('AV1M,');
  expect(error.message).toContain('AV1MB');
});

test('an exact billing-cycle term wins over one that names none', async () => {
  const open = availability('AVOPEN', [{ duration: 'P1M' }]);
  const catalog = createCatalogResolver(fakeCatalog([open, monthlyP1M]).reader);
  // Both availabilities carry a P1M term; only the one naming "monthly" is exact, but the open one still matches.
  const error = await failure(catalog.resolve({ ...query, termDuration: 'P1M', billingCycle: 'monthly' }));
  expect(error.reason).toBe('ambiguous');
  const single = createCatalogResolver(
    fakeCatalog([
      availability('AVBOTH', [{ duration: 'P1M' }, { duration: 'P1M', billingCycle: 'monthly', id: 'exact' }]),
    ]).reader,
  );
  expect((await single.resolve({ ...query, termDuration: 'P1M', billingCycle: 'monthly' })).term.id).toBe('exact');
});

test('other segments and countries are ignored; a non-purchasable match says so', async () => {
  const education = availability('AVEDU', [{ duration: 'P1M', billingCycle: 'monthly' }], { segment: 'education' });
  const closed = availability('AVCLOSED', [{ duration: 'P1M', billingCycle: 'monthly' }], { isPurchasable: false });
  const catalog = createCatalogResolver(fakeCatalog([education, closed]).reader);
  const error = await failure(catalog.resolve({ ...query, termDuration: 'P1M', billingCycle: 'monthly' }));
  expect(error.reason).toBe('not-purchasable');
  const withOpen = createCatalogResolver(fakeCatalog([education, closed, monthlyP1M]).reader);
  expect((await withOpen.resolve({ ...query, termDuration: 'P1M', billingCycle: 'monthly' })).availability.id).toBe(
    'AV1M',
  );
});

describe('getByCatalogItemId', () => {
  const catalog = createCatalogResolver(fakeCatalog([monthlyP1M, annualP1Y]).reader);

  test('finds the availability and its term', async () => {
    const offer = await catalog.getByCatalogItemId(annualP1Y.catalogItemId, {
      country: 'US',
      segment: 'commercial',
      termDuration: 'P1Y',
      billingCycle: 'annual',
    });
    expect(offer.availability.id).toBe('AV1YA');
    expect(offer.term.duration).toBe('P1Y');
  });

  test('without a term it takes the only one', async () => {
    const offer = await catalog.getByCatalogItemId(monthlyP1M.catalogItemId, { country: 'US', segment: 'commercial' });
    expect(offer.catalogItemId).toBe(monthlyP1M.catalogItemId);
  });

  test('a rotated (no longer listed) id is not-found', async () => {
    const error = await failure(
      catalog.getByCatalogItemId(`${product.id}:${sku.id}:GONE`, { country: 'US', segment: 'commercial' }),
    );
    expect(error.reason).toBe('not-found');
    expect(error.message).toMatch(/rotate/);
  });

  test('a term the availability lacks is not-found; a malformed id is not-found', async () => {
    expect(
      (
        await failure(
          catalog.getByCatalogItemId(monthlyP1M.catalogItemId, {
            country: 'US',
            segment: 'commercial',
            termDuration: 'P3Y',
          }),
        )
      ).reason,
    ).toBe('not-found');
    expect((await failure(catalog.getByCatalogItemId('P:S', { country: 'US', segment: 'commercial' }))).reason).toBe(
      'not-found',
    );
  });
});

describe('cache', () => {
  test('reads are reused within the TTL, shared between concurrent callers, and dropped by invalidate()', async () => {
    const { reader, reads } = fakeCatalog([monthlyP1M]);
    let now = 1_000;
    const catalog = createCatalogResolver(reader, { ttlMs: 60_000, now: () => now });
    const q = { ...query, termDuration: 'P1M', billingCycle: 'monthly' };
    await Promise.all([catalog.resolve(q), catalog.resolve(q), catalog.resolve(q)]);
    expect(reads).toEqual({ products: 1, skus: 1, availabilities: 1 });
    now += 59_000;
    await catalog.resolve(q);
    expect(reads.availabilities).toBe(1);
    now += 2_000;
    await catalog.resolve(q);
    expect(reads.availabilities).toBe(2);
    catalog.invalidate();
    await catalog.resolve(q);
    expect(reads.availabilities).toBe(3);
  });

  test('failed reads are not cached', async () => {
    const { reader, reads } = fakeCatalog([]);
    const catalog = createCatalogResolver(reader);
    const q = { ...query, productId: 'NOPE', termDuration: 'P1M', billingCycle: 'monthly' };
    await failure(catalog.resolve(q));
    await failure(catalog.resolve(q));
    expect(reads.products).toBe(2);
  });
});

describe('cacheOnly', () => {
  test('resolves from fresh cached reads only: cold or expired, it rejects without reading', async () => {
    const { reader, reads } = fakeCatalog([monthlyP1Y]);
    let now = 0;
    const resolver = createCatalogResolver(reader, { ttlMs: 1_000, now: () => now });
    const wanted = { ...query, termDuration: 'P1Y', billingCycle: 'monthly' };
    await expect(resolver.cacheOnly!().resolve(wanted)).rejects.toBeInstanceOf(CatalogNotCachedError);
    expect(reads).toEqual({ products: 0, skus: 0, availabilities: 0 });
    const read = await resolver.resolve(wanted);
    expect(await resolver.cacheOnly!().resolve(wanted)).toEqual(read);
    expect(reads).toEqual({ products: 1, skus: 1, availabilities: 1 });
    now = 1_001;
    await expect(resolver.cacheOnly!().getByCatalogItemId(read.catalogItemId, wanted)).rejects.toBeInstanceOf(
      CatalogNotCachedError,
    );
    expect(reads).toEqual({ products: 1, skus: 1, availabilities: 1 });
  });
});
