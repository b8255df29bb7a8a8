import type { SandboxRandom } from './random';

/** The seeded new-commerce licence catalog: products → SKUs → availabilities (one per country,
 * segment and term), with `catalogItemId = PRODUCT:SKU:AVAILABILITY` (partner-center-api.md §3). */

export type TermDuration = 'P1M' | 'P1Y' | 'P3Y';
export type BillingCycle = 'monthly' | 'annual' | 'triennial' | 'none';
export type Segment = 'commercial' | 'education' | 'government' | 'nonprofit';

export const COUNTRIES = {
  US: { currency: 'USD', symbol: '$', rate: 1 },
  GB: { currency: 'GBP', symbol: '£', rate: 0.8 },
  DE: { currency: 'EUR', symbol: '€', rate: 0.93 },
} as const;
export type Country = keyof typeof COUNTRIES;

export interface CatalogSku {
  id: string;
  title: string;
  description: string;
  minimumQuantity: number;
  maximumQuantity: number;
  isTrial: boolean;
  isAddon: boolean;
  /** "PRODUCT:SKU" pairs of which the customer must own (or buy in the same cart) at least one. */
  prerequisiteSkus: string[];
  /** Seats that can still be sold (an `InventoryCheck` SKU); checkout fails with 800010 beyond it. */
  inventory?: number;
  segments: Segment[];
  terms: TermDuration[];
  /** Monthly list price per seat in USD for an annual commitment. */
  monthlyPriceUsd: number;
  /**
   * An offer that enforces an attestation: cart lines without `attestationAccepted` get 10012. Of type
   * `PartnerOnRecord` it is the partner-of-record attestation, given on the cart (`partnerOnRecordAttestationAccepted`).
   */
  attestation?: { type: string; text: string };
  /** An add-on sold in no fewer seats than this per cart line: fewer get 10019 (MinimumAddOnSeatsNotMet). */
  minimumAddOnSeats?: number;
}

/** The attestation type of the partner-of-record attestation (docs/sandbox.md, Attestation). */
export const PARTNER_ON_RECORD_ATTESTATION = 'PartnerOnRecord';

export interface CatalogProduct {
  id: string;
  title: string;
  description: string;
  skus: CatalogSku[];
  /** Availability ids derived from names, not drawn from the seed: a product added later leaves every seeded id as it was. */
  namedIds?: boolean;
}

export interface CatalogAvailability {
  id: string;
  product: CatalogProduct;
  sku: CatalogSku;
  country: Country;
  segment: Segment;
  termDuration: TermDuration;
  isPurchasable: boolean;
}

const paid = (id: string, title: string, price: number, extra: Partial<CatalogSku> = {}): CatalogSku => ({
  id,
  title,
  description: `${title} (new commerce)`,
  minimumQuantity: 1,
  maximumQuantity: 300,
  isTrial: false,
  isAddon: false,
  prerequisiteSkus: [],
  segments: ['commercial'],
  terms: ['P1M', 'P1Y', 'P3Y'],
  monthlyPriceUsd: price,
  ...extra,
});

const BUSINESS_BASIC = 'CFQ7TTC0LH18';
const BUSINESS_STANDARD = 'CFQ7TTC0LDPB';
const BUSINESS_PREMIUM = 'CFQ7TTC0LCHC';
const M365_E3 = 'CFQ7TTC0LFLX';
const M365_E5 = 'CFQ7TTC0LFLZ';

/** Fixed product ids (the real 12-character shape); availability ids come from the seed. */
export const CATALOG_PRODUCTS: readonly CatalogProduct[] = [
  {
    id: BUSINESS_BASIC,
    title: 'Microsoft 365 Business Basic',
    description: 'Web and mobile Office apps, Teams, Exchange and 1 TB OneDrive.',
    skus: [paid('0001', 'Microsoft 365 Business Basic', 6, { segments: ['commercial', 'nonprofit'] })],
  },
  {
    id: BUSINESS_STANDARD,
    title: 'Microsoft 365 Business Standard',
    description: 'Desktop Office apps with business services.',
    skus: [
      paid('0001', 'Microsoft 365 Business Standard', 12.5),
      paid('0002', 'Microsoft 365 Business Standard Trial', 0, {
        isTrial: true,
        minimumQuantity: 25,
        maximumQuantity: 25,
        terms: ['P1M'],
      }),
    ],
  },
  {
    id: BUSINESS_PREMIUM,
    title: 'Microsoft 365 Business Premium',
    description: 'Business Standard plus advanced security and device management.',
    skus: [paid('0002', 'Microsoft 365 Business Premium', 22, { segments: ['commercial', 'nonprofit'] })],
  },
  {
    id: 'CFQ7TTC0LF8Q',
    title: 'Office 365 E1',
    description: 'Web versions of Office apps with enterprise services.',
    skus: [paid('0001', 'Office 365 E1', 10, { maximumQuantity: 10000, segments: ['commercial', 'government'] })],
  },
  {
    id: 'CFQ7TTC0LF8R',
    title: 'Office 365 E3',
    description: 'Office apps and enterprise services.',
    skus: [paid('0001', 'Office 365 E3', 23, { maximumQuantity: 10000 })],
  },
  {
    id: M365_E3,
    title: 'Microsoft 365 E3',
    description: 'Office 365 E3, Windows Enterprise and Enterprise Mobility + Security E3.',
    skus: [paid('0002', 'Microsoft 365 E3', 36, { maximumQuantity: 10000, segments: ['commercial', 'education'] })],
  },
  {
    id: M365_E5,
    title: 'Microsoft 365 E5',
    description: 'Microsoft 365 E3 plus advanced security, compliance and analytics.',
    skus: [paid('0002', 'Microsoft 365 E5', 57, { maximumQuantity: 10000 })],
  },
  {
    id: 'CFQ7TTC0RM8K',
    title: 'Microsoft Teams Essentials',
    description: 'Meetings, chat and file sharing for small businesses.',
    skus: [paid('0001', 'Microsoft Teams Essentials', 4)],
  },
  {
    id: 'CFQ7TTC0RM7H',
    title: 'Microsoft Teams Premium',
    description: 'Add-on: intelligent meeting recaps and advanced webinars. Requires a qualifying Microsoft 365 plan.',
    skus: [
      paid('0001', 'Microsoft Teams Premium', 10, {
        isAddon: true,
        terms: ['P1M', 'P1Y'],
        prerequisiteSkus: [
          `${BUSINESS_BASIC}:0001`,
          `${BUSINESS_STANDARD}:0001`,
          `${BUSINESS_PREMIUM}:0002`,
          `${M365_E3}:0002`,
          `${M365_E5}:0002`,
        ],
      }),
    ],
  },
  {
    id: 'CFQ7TTC0HHS9',
    title: 'Windows 365 Enterprise',
    description: 'Cloud PC, 2 vCPU / 8 GB / 128 GB; stock-checked.',
    skus: [
      paid('0003', 'Windows 365 Enterprise 2 vCPU, 8 GB, 128 GB', 41, {
        terms: ['P1M', 'P1Y'],
        inventory: 100,
        maximumQuantity: 1000,
      }),
    ],
  },
  {
    id: 'CFQ7TTC0HD32',
    title: 'Windows Enterprise E3 VDA',
    description: 'Windows Enterprise for virtual desktops; the customer attests to qualifying devices.',
    namedIds: true,
    skus: [
      paid('0001', 'Windows Enterprise E3 VDA', 7, {
        terms: ['P1M', 'P1Y'],
        attestation: {
          type: 'WindowsVdaQualifyingDevice',
          text: "The customer's users of this offer have a qualifying Windows Pro device as their primary work device.",
        },
      }),
    ],
  },
  {
    id: 'CFQ7TTC0LH0Z',
    title: 'Dynamics 365 Business Central Essentials',
    description: 'Business management; sold with the partner-of-record attestation.',
    namedIds: true,
    skus: [
      paid('0001', 'Dynamics 365 Business Central Essentials', 70, {
        terms: ['P1M', 'P1Y'],
        attestation: {
          type: PARTNER_ON_RECORD_ATTESTATION,
          text: 'The partner attests that it is the partner of record for this purchase and has the customer’s consent to transact on its behalf.',
        },
      }),
    ],
  },
  {
    id: 'CFQ7TTC0MM8R',
    title: 'Microsoft 365 Copilot',
    description:
      'Add-on: AI assistance in the Microsoft 365 apps. Requires a qualifying Microsoft 365 plan; 10 seats at least.',
    namedIds: true,
    skus: [
      paid('0001', 'Microsoft 365 Copilot', 30, {
        isAddon: true,
        terms: ['P1M', 'P1Y'],
        minimumAddOnSeats: 10,
        prerequisiteSkus: [
          `${BUSINESS_STANDARD}:0001`,
          `${BUSINESS_PREMIUM}:0002`,
          `${M365_E3}:0002`,
          `${M365_E5}:0002`,
        ],
      }),
    ],
  },
];

/** Billing cycles each term can be billed in (a cycle is never longer than the term: 900270). */
export const BILLING_CYCLES_FOR_TERM: Record<TermDuration, BillingCycle[]> = {
  P1M: ['monthly'],
  P1Y: ['monthly', 'annual'],
  P3Y: ['monthly', 'annual', 'triennial'],
};

export const TERM_MONTHS: Record<TermDuration, number> = { P1M: 1, P1Y: 12, P3Y: 36 };
export const CYCLE_MONTHS: Record<BillingCycle, number> = { monthly: 1, annual: 12, triennial: 36, none: 1 };

export function billingCyclesFor(sku: CatalogSku, term: TermDuration): BillingCycle[] {
  return sku.isTrial ? ['none'] : BILLING_CYCLES_FOR_TERM[term];
}

/** Price per seat per billing period in the country's currency (month-to-month costs 20% more). */
export function unitPrice(sku: CatalogSku, country: Country, term: TermDuration, cycle: BillingCycle): number {
  const monthly = sku.monthlyPriceUsd * (term === 'P1M' ? 1.2 : 1) * COUNTRIES[country].rate;
  return Math.round(monthly * CYCLE_MONTHS[cycle] * 100) / 100;
}

export interface Catalog {
  products: readonly CatalogProduct[];
  availabilities: CatalogAvailability[];
  /** Ids retired by rotation: still recognised as "was an availability" for 400019. */
  retiredAvailabilityIds: Set<string>;
  findProduct(productId: string): CatalogProduct | undefined;
  findSku(productId: string, skuId: string): CatalogSku | undefined;
  findAvailability(productId: string, skuId: string, availabilityId: string): CatalogAvailability | undefined;
  availabilitiesFor(productId: string, skuId: string, country: string, segment?: Segment): CatalogAvailability[];
  rotate(productId: string, skuId: string, availabilityId: string): CatalogAvailability | undefined;
}

export function createCatalog(random: SandboxRandom): Catalog {
  const availabilities: CatalogAvailability[] = [];
  const newId = () => `CFQ7TTC0${random.upperAlphanumeric(4)}`;
  for (const product of CATALOG_PRODUCTS) {
    for (const sku of product.skus) {
      for (const country of Object.keys(COUNTRIES) as Country[]) {
        for (const segment of sku.segments) {
          for (const termDuration of sku.terms) {
            const id = product.namedIds
              ? namedId(`${product.id}:${sku.id}:${country}:${segment}:${termDuration}`)
              : newId();
            availabilities.push({ id, product, sku, country, segment, termDuration, isPurchasable: true });
          }
        }
      }
    }
  }
  const sameIgnoringCase = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();
  const retiredAvailabilityIds = new Set<string>();
  return {
    products: CATALOG_PRODUCTS,
    availabilities,
    retiredAvailabilityIds,
    findProduct: (productId) => CATALOG_PRODUCTS.find((p) => sameIgnoringCase(p.id, productId)),
    findSku: (productId, skuId) =>
      CATALOG_PRODUCTS.find((p) => sameIgnoringCase(p.id, productId))?.skus.find((s) => s.id === skuId),
    findAvailability: (productId, skuId, availabilityId) =>
      availabilities.find(
        (a) =>
          sameIgnoringCase(a.product.id, productId) && a.sku.id === skuId && sameIgnoringCase(a.id, availabilityId),
      ),
    availabilitiesFor: (productId, skuId, country, segment) =>
      availabilities.filter(
        (a) =>
          sameIgnoringCase(a.product.id, productId) &&
          a.sku.id === skuId &&
          sameIgnoringCase(a.country, country) &&
          // Without a segment every segment except nonprofit is listed (get-a-list-of-availabilities-for-a-sku.md).
          (segment ? a.segment === segment : a.segment !== 'nonprofit'),
      ),
    rotate: (productId, skuId, availabilityId) => {
      const availability = availabilities.find(
        (a) =>
          sameIgnoringCase(a.product.id, productId) && a.sku.id === skuId && sameIgnoringCase(a.id, availabilityId),
      );
      if (!availability) return undefined;
      retiredAvailabilityIds.add(availability.id);
      availability.id = newId();
      return availability;
    },
  };
}

/** `CFQ7TTC0` + 4 upper-case alphanumerics, a pure function of `name`. */
function namedId(name: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let hash = 2166136261;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  let suffix = '';
  for (let i = 0; i < 4; i += 1, hash = Math.floor(hash / alphabet.length)) suffix += alphabet[hash % alphabet.length];
  return `CFQ7TTC0${suffix}`;
}

export function catalogItemId(a: Pick<CatalogAvailability, 'id' | 'product' | 'sku'>): string {
  return `${a.product.id}:${a.sku.id}:${a.id}`;
}
