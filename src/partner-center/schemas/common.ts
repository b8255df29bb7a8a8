/**
 * The building blocks of the Partner Center resource schemas, which are split by resource family beside this
 * file (index.ts exports them all) and are the only source of the resources' TypeScript types.
 *
 * Received resources are parsed leniently because the live API is loose (reference §9): unknown
 * fields are kept (and so sent back on a full-body PATCH), `null` counts as absent, numbers may
 * arrive as strings, and enum-like fields accept values we do not know. Known enum values are
 * matched case- and separator-insensitively and returned in their canonical spelling
 * ("Annual" → "annual", "Active" → "active"), so callers can compare against one spelling.
 * Request bodies we build (`CartInput`) are strict.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Lenient building blocks for received data

/** `null` and missing both mean "not there". */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

const NUMERIC_STRING = /^\s*-?\d+(\.\d+)?\s*$/;

/** A number, or a string holding one ("16" in reconciliation examples). */
export const lenientNumber = z.union([
  z.number(),
  z
    .string()
    .regex(NUMERIC_STRING, 'expected a number or a numeric string')
    .transform((text) => Number(text)),
]);

export const lenientInteger = lenientNumber.pipe(z.number().int());

/** `true`/`false`, also when serialised as strings. */
export const lenientBoolean = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'True', 'False']).transform((text) => text.toLowerCase() === 'true'),
]);

/** Partner Center error codes: usually numbers, sometimes strings; numeric strings become numbers. */
export const errorCode = z.union([
  z.number(),
  z.string().transform((text): number | string => (NUMERIC_STRING.test(text) ? Number(text) : text)),
]);

/** Ids that some endpoints send as numbers (orderGroup "0", orderGroupId). */
export const idText = z.union([z.string(), z.number().transform((n) => String(n))]);

const comparable = (text: string) => text.replace(/[\s_-]/g, '').toLowerCase();

/**
 * The canonical spelling of a known value (matched case- and separator-insensitively), or the value
 * unchanged: what an open enum answers.
 */
export function canonicalSpelling<const Known extends readonly [string, ...string[]]>(known: Known) {
  const canonical = new Set<string>(known);
  const byComparable = new Map(known.map((value) => [comparable(value), value] as const));
  // The canonical spelling first: it is what most values are, and a billing export has a million of them.
  return (value: string): Known[number] | (string & {}) =>
    canonical.has(value) ? value : (byComparable.get(comparable(value)) ?? value);
}

/**
 * An enum that is open: a known value (any casing/separators) maps to its canonical spelling,
 * anything else passes through unchanged so a new server value never breaks parsing.
 */
export function openEnum<const Known extends readonly [string, ...string[]]>(known: Known) {
  const spell = canonicalSpelling(known);
  return z.string().transform((value) => spell(value));
}

// ---------------------------------------------------------------------------------------------
// Enumerations (known values only; received fields use openEnum over them)

export const TERM_DURATIONS = ['P1M', 'P1Y', 'P3Y'] as const;
export const BILLING_CYCLES = ['monthly', 'annual', 'triennial', 'one_time', 'none', 'biennial', 'unknown'] as const;
export const SEGMENTS = ['commercial', 'education', 'government', 'nonprofit'] as const;

export const termDuration = openEnum(TERM_DURATIONS);
export const billingCycle = openEnum(BILLING_CYCLES);
export const segment = openEnum(SEGMENTS);

// ---------------------------------------------------------------------------------------------
// Shared pieces

export const linkSchema = z.looseObject({
  uri: z.string(),
  method: optional(z.string()),
  headers: optional(z.array(z.looseObject({ key: z.string(), value: z.string() }))),
});
export type Link = z.infer<typeof linkSchema>;

/** Resource links: `self` is typed, the rest (product, sku, activationLinks …) kept as received. */
export const resourceLinks = optional(z.looseObject({ self: optional(linkSchema) }));

export const resourceAttributes = optional(
  z.looseObject({ objectType: optional(z.string()), etag: optional(z.string()) }),
);

export const itemType = z.looseObject({ id: z.string(), displayName: optional(z.string()) });

export const currency = z.looseObject({ code: z.string(), symbol: optional(z.string()) });

export const pricing = optional(
  z.looseObject({
    listPrice: optional(lenientNumber),
    discountedPrice: optional(lenientNumber),
    proratedPrice: optional(lenientNumber),
    price: optional(lenientNumber),
    extendedPrice: optional(lenientNumber),
  }),
);

export const stringRecord = optional(z.record(z.string(), z.unknown()));

/** Property names camelCased, at any depth (`TemplateId` → `templateId`): some resources are read leniently. */
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCaseKeys(inner)]),
  );
}
/** The schema, reading property names in either case (PascalCase as camelCase). */
export function anyCase<T extends z.ZodType>(schema: T) {
  return z.preprocess(camelCaseKeys, schema);
}

// ---------------------------------------------------------------------------------------------
// Envelopes

/** Every list comes in this envelope; seek-paged lists add a continuation token. */
export function collectionSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    totalCount: optional(lenientInteger),
    items: optional(z.array(item)).transform((items): z.infer<Item>[] => items ?? []),
    continuationToken: optional(z.string()),
    links: optional(
      z.looseObject({ self: optional(linkSchema), next: optional(linkSchema), previous: optional(linkSchema) }),
    ),
    attributes: resourceAttributes,
  });
}

/**
 * Error bodies: PartnerFD `{ code, description, data, source }`, the throttling gateway's
 * `{ statusCode, message }`, and the OData-style `{ error: { code, message } }` seen from gateways; PascalCase
 * names (`Code`, `Description`) read too.
 */
export const errorBodySchema = anyCase(
  z.looseObject({
    code: optional(errorCode),
    description: optional(z.string()),
    data: optional(z.array(z.unknown())),
    source: optional(z.string()),
    statusCode: optional(lenientInteger),
    message: optional(z.string()),
    error: optional(z.looseObject({ code: optional(errorCode), message: optional(z.string()) })),
  }),
);
export type ErrorBody = z.infer<typeof errorBodySchema>;
