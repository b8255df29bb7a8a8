import { z } from 'zod';
import { logChange, tokenActor } from '../activity-log';
import { onMicrosoftDomain } from '../control-onboarding';
import { badRequest } from '../errors';
import { jsonBody, looseEnum, parseWith, queryValue } from '../http';
import {
  createCustomer,
  QUALIFICATIONS,
  qualificationJson,
  requestQualification,
  SANDBOX_MARKETS,
} from '../onboarding';
import { customerOf, type Route } from '../router';
import type { QualificationName } from '../state';
import { customerJson } from './customers';

/**
 * Customer creation (`POST /v1/customers`: a new tenant, the reseller relationship and a first admin whose one-time
 * password only the 201 carries) and qualifications (docs/sandbox.md, Customer onboarding).
 */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** ISO 3166-1 alpha-2: two letters ICU names as a region (it echoes unknown codes back). */
const isCountryCode = (code: string) =>
  /^[A-Za-z]{2}$/.test(code) &&
  !['Unknown Region', code.toUpperCase()].includes(regionNames.of(code.toUpperCase()) ?? '');

const required = z.string().trim().min(1);

/** Unknown fields are accepted and dropped (the sandbox keeps what it models). */
const createCustomerSchema = z.object({
  companyProfile: z.object({
    domain: onMicrosoftDomain,
  }),
  billingProfile: z.object({
    email: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address'),
    culture: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})+$/, 'must be a culture such as en-US'),
    language: z.string().regex(/^[A-Za-z]{2,3}$/, 'must be a language such as en'),
    companyName: required.max(255),
    defaultAddress: z.object({
      country: z.string().refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code'),
      city: required,
      state: z.string().optional(),
      addressLine1: required,
      addressLine2: z.string().optional(),
      postalCode: required,
      firstName: required,
      lastName: required,
      phoneNumber: z.string().optional(),
    }),
  }),
});

const qualificationName = looseEnum(QUALIFICATIONS as [QualificationName, ...QualificationName[]]);
/** `{ qualification }`, or the bare JSON string Partner Center's samples send. */
const qualificationBodySchema = z.union([qualificationName, z.looseObject({ qualification: qualificationName })]);

/** The requested qualification: from the body, else GovernmentCommunityCloud when only a validation `code` is given. */
function qualificationOf(rawBody: string, code: string | undefined): QualificationName {
  if (rawBody.trim() === '') {
    if (code === undefined)
      throw badRequest('qualification', 'is required (in the body, or ?code= for GovernmentCommunityCloud)');
    return 'GovernmentCommunityCloud';
  }
  const body = parseWith(qualificationBodySchema, jsonBody(rawBody), 'qualification');
  return typeof body === 'string' ? body : body.qualification;
}

export const customerOnboardingRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/customers',
    // Not idempotent, and the password is never kept: a repeated MS-RequestId creates again (and is refused).
    replayable: false,
    handle: (ctx) => {
      const input = parseWith(createCustomerSchema, jsonBody(ctx.rawBody));
      const { billingProfile } = input;
      const country = billingProfile.defaultAddress.country.toUpperCase();
      if (!(SANDBOX_MARKETS as string[]).includes(country))
        throw badRequest(
          'billingProfile.defaultAddress.country',
          `${country} is not a market the sandbox sells in (${SANDBOX_MARKETS.join(', ')})`,
        );
      const { customer, credentials } = createCustomer(ctx.runtime.world, ctx.partner, {
        domain: input.companyProfile.domain,
        billingProfile: { ...billingProfile, defaultAddress: { ...billingProfile.defaultAddress, country } },
      });
      // The record keeps the customer, never its first admin's password.
      logChange(
        ctx.runtime,
        {
          customerId: customer.id,
          resourceType: 'customer',
          operationType: 'add_customer',
          resourceNewValue: customerJson(customer),
        },
        tokenActor(ctx.token),
      );
      return { status: 201, body: { ...customerJson(customer), userCredentials: credentials } };
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/qualifications',
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const code = queryValue(ctx.url, 'code');
      const qualification = requestQualification(ctx.runtime.world, customer, {
        qualification: qualificationOf(ctx.rawBody, code),
        withCode: code !== undefined && code.trim() !== '',
        now: ctx.now,
      });
      logChange(
        ctx.runtime,
        {
          customerId: customer.id,
          resourceType: 'customer',
          operationType: 'update_customer_qualification',
          resourceNewValue: qualificationJson(qualification),
        },
        tokenActor(ctx.token),
      );
      return { status: 201, body: qualificationJson(qualification) };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/qualifications',
    handle: (ctx) => {
      const qualification = ctx.runtime.world.qualifications.get(customerOf(ctx).id);
      return { status: 200, body: qualification === undefined ? [] : [qualificationJson(qualification)] };
    },
  },
];
