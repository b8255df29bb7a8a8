import { z } from 'zod';
import { validateWith, type Validation } from '../common/validation';
import { defaultCultureOf, ISO_COUNTRY_CODES } from './countries';

/** The request `onboardCustomer` is started with (contract §3, v3), and its validation: every rule before any call. */

/** Global Administrator: Microsoft refuses to auto-extend a relationship that grants it. */
export const GLOBAL_ADMINISTRATOR_ROLE_ID = '62e90394-69f5-4237-9190-012177145e10';
/** The longest GDAP relationship Microsoft grants, and the default. */
export const MAX_GDAP_DURATION = 'P730D';
const MAX_GDAP_DAYS = 730;
/** The rule a Global Administrator relationship with autoExtend breaks: refused as GdapRefused, not as bad input. */
export const GLOBAL_ADMIN_AUTO_EXTEND_RULE =
  'must be false when roles include Global Administrator (62e90394-69f5-4237-9190-012177145e10): Microsoft does not auto-extend it';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const email = z.email('must be an email address');
const roleId = z.guid('must be a GUID (a unifiedRole definition id)');

/** `P730D`, `P1Y`, `P90DT12H`: ISO 8601 durations, as Graph takes them. */
const ISO_DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Days in an ISO 8601 duration (a year as 365 days, a month as 30), or undefined when it is not one. */
export function durationDays(duration: string): number | undefined {
  const match = ISO_DURATION.exec(duration);
  if (match === null) return undefined;
  const [y, mo, w, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0));
  return y * 365 + mo * 30 + w * 7 + d + h / 24 + mi / 1440 + s / 86_400;
}

const countryCode = z
  .string()
  .transform((c) => c.toUpperCase())
  .refine((c) => ISO_COUNTRY_CODES.has(c), 'must be an ISO 3166-1 alpha-2 country code');

export const CustomerCreationSchema = z.strictObject({
  companyName: text(200),
  /** `contoso` for contoso.onmicrosoft.com: one DNS label. */
  /** `contoso` for contoso.onmicrosoft.com: one DNS label, of letters and digits only (as onmicrosoft.com takes them). */
  domainPrefix: z
    .string()
    .regex(
      /^[A-Za-z0-9]{1,63}$/,
      'must be a DNS label of 1..63 letters and digits (no hyphens: onmicrosoft.com refuses them)',
    )
    .transform((d) => d.toLowerCase()),
  country: countryCode,
  culture: z
    .string()
    .regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'must be a culture such as en-US')
    .optional(),
  language: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'must be a language such as en')
    .optional(),
  address: z.strictObject({
    addressLine1: text(256),
    addressLine2: text(256).optional(),
    city: text(128),
    state: text(128).optional(),
    postalCode: text(32),
  }),
  contact: z.strictObject({
    firstName: text(100),
    lastName: text(100),
    email,
    phoneNumber: text(40).optional(),
  }),
});

const CustomerSchema = z
  .strictObject({
    create: CustomerCreationSchema.optional(),
    /** The customer already has a Microsoft tenant: it is invited, and the run waits for its acceptance. */
    existingTenantId: z.guid('must be a GUID (the customer tenant id)').optional(),
  })
  .superRefine((customer, ctx) => {
    if ((customer.create === undefined) === (customer.existingTenantId === undefined))
      ctx.addIssue({ code: 'custom', message: 'must hold exactly one of create and existingTenantId' });
  });

export const GdapRequestSchema = z
  .strictObject({
    displayName: text(50).optional(),
    roles: z.array(roleId).min(1, 'must name at least 1 role').max(72),
    duration: z
      .string()
      .refine((d) => durationDays(d) !== undefined, 'must be an ISO 8601 duration such as P730D')
      .refine((d) => (durationDays(d) ?? 0) <= MAX_GDAP_DAYS, `must be at most ${MAX_GDAP_DURATION}`)
      .default(MAX_GDAP_DURATION),
    autoExtend: z.boolean().default(false),
    accessAssignments: z
      .array(
        z.strictObject({
          securityGroupId: z.guid('must be a GUID (a security group id)'),
          roles: z.array(roleId).min(1),
        }),
      )
      .max(50)
      .default([]),
  })
  .superRefine((gdap, ctx) => {
    if (gdap.autoExtend && gdap.roles.some((r) => r.toLowerCase() === GLOBAL_ADMINISTRATOR_ROLE_ID))
      ctx.addIssue({ code: 'custom', path: ['autoExtend'], message: GLOBAL_ADMIN_AUTO_EXTEND_RULE });
    gdap.accessAssignments.forEach((assignment, i) => {
      assignment.roles.forEach((role, j) => {
        if (!gdap.roles.some((r) => r.toLowerCase() === role.toLowerCase()))
          ctx.addIssue({
            code: 'custom',
            path: ['accessAssignments', i, 'roles', j],
            message: 'must be one of gdap.roles (an assignment grants only roles of the relationship)',
          });
      });
    });
  });

export const OnboardRequestSchema = z
  .strictObject({
    requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1..128 characters of [A-Za-z0-9._:-]'),
    customer: CustomerSchema,
    /** The customer's signatory of the Microsoft Customer Agreement. */
    agreement: z.strictObject({
      firstName: text(100),
      lastName: text(100),
      email,
      phoneNumber: text(40).optional(),
      dateAgreed: z.union([z.iso.date(), z.iso.datetime({ offset: true })], 'must be an ISO date').optional(),
    }),
    qualification: z.enum(['Education', 'GovernmentCommunityCloud', 'StateOwnedEntity']).optional(),
    gdap: GdapRequestSchema.optional(),
  })
  .transform((request) => ({ ...request, customer: withCultureDefaults(request.customer) }));

/** The creation's culture and language, from the country where the request names none. */
function withCultureDefaults(customer: {
  create?: z.output<typeof CustomerCreationSchema>;
  existingTenantId?: string;
}): {
  create?: CustomerCreation;
  existingTenantId?: string;
} {
  const { create } = customer;
  if (create === undefined) return { existingTenantId: customer.existingTenantId };
  const defaults = defaultCultureOf(create.country);
  const culture = create.culture ?? defaults.culture;
  const language = create.language ?? (create.culture !== undefined ? culture.slice(0, 2) : defaults.language);
  return { create: { ...create, culture, language } };
}
/** What callers send (defaults optional). */
export type OnboardRequest = z.input<typeof OnboardRequestSchema>;
/** The request after validation, defaults applied. */
export type ValidOnboardRequest = z.output<typeof OnboardRequestSchema>;
export type CustomerCreation = z.output<typeof CustomerCreationSchema> & { culture: string; language: string };
export type GdapRequest = z.output<typeof GdapRequestSchema>;

/** Validates without throwing: a workflow task must never fail on bad input. */
export function validateOnboardRequest(input: unknown): Validation<ValidOnboardRequest> {
  return validateWith(OnboardRequestSchema, input);
}
