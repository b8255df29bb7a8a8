import { z } from 'zod';
import { logChange, tokenActor } from '../activity-log';
import { AGREEMENT_EXISTS, hasAgreement, MCA, TEMPLATES } from '../agreements';
import type { CustomerAgreement } from '../state';
import { ApiError, badRequest, NonRetryableError } from '../errors';
import { collection, jsonBody, parseWith, queryValue } from '../http';
import { customerOf, type Route } from '../router';

/** The agreement routes: the template metadata partners read (`GET /v1/agreements`), a customer's acceptances
 * (`GET /v1/customers/{id}/agreements`) and the confirmation of one (`POST`, App+User only). */

const confirmationSchema = z.looseObject({
  primaryContact: z.looseObject({
    firstName: z.string().trim().min(1),
    lastName: z.string().trim().min(1),
    email: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address'),
    phoneNumber: z.string().optional(),
  }),
  templateId: z.string().min(1),
  dateAgreed: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date'),
  type: z.string().min(1),
  agreementLink: z.string().optional(),
  userId: z.string().optional(),
});

function agreementJson(a: CustomerAgreement): Record<string, unknown> {
  return {
    primaryContact: a.primaryContact,
    templateId: a.templateId,
    dateAgreed: a.dateAgreed,
    type: a.type,
    agreementLink: a.agreementLink,
    ...(a.userId !== undefined ? { userId: a.userId } : {}),
    attributes: { objectType: 'Agreement' },
  };
}

const typeFilter = (url: URL) => queryValue(url, 'agreementType')?.toLowerCase();

export const agreementRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/agreements',
    handle: (ctx) => {
      const type = typeFilter(ctx.url);
      const items = TEMPLATES.filter(
        (t) => type === undefined || type === 'all' || t.agreementType.toLowerCase() === type,
      );
      return {
        status: 200,
        body: collection(
          items.map((t) => ({ ...t, attributes: { objectType: 'AgreementMetaData' } })),
          '/agreements',
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/agreements',
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const type = typeFilter(ctx.url);
      const items = ctx.runtime.world.agreements.filter(
        (a) => a.customerId === customer.id && (type === undefined || a.type.toLowerCase() === type),
      );
      return { status: 200, body: collection(items.map(agreementJson), `/customers/${customer.id}/agreements`) };
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/agreements',
    appUserOnly: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const input = parseWith(confirmationSchema, jsonBody(ctx.rawBody));
      const template = TEMPLATES.find((t) => t.templateId === input.templateId.toLowerCase());
      if (template === undefined) throw badRequest('templateId', `is not a current agreement template`, 600058);
      if (template.agreementType.toLowerCase() !== input.type.toLowerCase())
        throw badRequest('type', `does not match template ${template.templateId} (${template.agreementType})`);
      if (Date.parse(input.dateAgreed) > ctx.now + 86_400_000)
        throw new ApiError(400, 600059, `The request is invalid: 'dateAgreed' lies in the future.`);
      // A customer has one MCA on record: a second confirmation is refused (callers treat 600061 as done); other
      // agreement types are recorded every time, Partner Center documents no deduplication for them.
      if (template.agreementType === MCA && hasAgreement(ctx.runtime.world, customer.id, MCA))
        throw new NonRetryableError(
          400,
          AGREEMENT_EXISTS,
          `PartnerConfirmedAgreementAlreadyExists: customer ${customer.id} already has a ${MCA} on record.`,
        );
      const agreement: CustomerAgreement = {
        customerId: customer.id,
        type: template.agreementType,
        templateId: template.templateId,
        dateAgreed: input.dateAgreed,
        agreementLink: template.agreementLink,
        primaryContact: {
          firstName: input.primaryContact.firstName,
          lastName: input.primaryContact.lastName,
          email: input.primaryContact.email,
          ...(input.primaryContact.phoneNumber !== undefined ? { phoneNumber: input.primaryContact.phoneNumber } : {}),
        },
        userId: ctx.token.oid,
      };
      ctx.runtime.world.agreements.push(agreement);
      logChange(
        ctx.runtime,
        {
          customerId: customer.id,
          resourceType: 'agreement',
          operationType: 'create_customer_agreement',
          resourceNewValue: agreementJson(agreement),
        },
        tokenActor(ctx.token),
      );
      return { status: 201, body: agreementJson(agreement) };
    },
  },
];
