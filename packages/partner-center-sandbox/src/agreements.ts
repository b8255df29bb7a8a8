import type { Customer, CustomerAgreement, World } from './state';

/** Microsoft agreements (docs/sandbox.md, Purchase prerequisites): the templates, a seeded customer's MCA and the
 * check carts make (new-commerce carts need the customer's MCA, 403/13605); routes/agreements.ts serves them. */

export const MCA = 'MicrosoftCustomerAgreement';
/** The current MCA template (Microsoft's documented one); a confirmation naming another template is refused. */
export const MCA_TEMPLATE_ID = '117a77b0-9360-443b-8795-c6dedc750cf9';
const MCA_LINK = 'https://aka.ms/customeragreement';
/** Partner Center's code for a cart of a customer whose MCA acceptance is not confirmed (reference §4.7). */
export const MCA_NOT_CONFIRMED = 13605;
/** Partner Center's answer to a confirmation of an agreement the customer already has on record (not retryable). */
export const AGREEMENT_EXISTS = 600061;

export const TEMPLATES = [
  { templateId: MCA_TEMPLATE_ID, agreementType: MCA, agreementLink: MCA_LINK, versionRank: 0 },
  {
    templateId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    agreementType: 'MicrosoftCloudAgreement',
    agreementLink: 'https://aka.ms/microsoftcloudagreement',
    versionRank: 0,
  },
];

/** A seeded customer's MCA, accepted before the sandbox's clock starts (no random draw: ids stay as seeded). */
export function seededAgreement(customer: Customer): CustomerAgreement {
  return {
    customerId: customer.id,
    type: MCA,
    templateId: MCA_TEMPLATE_ID,
    dateAgreed: '2024-01-15T00:00:00Z',
    agreementLink: MCA_LINK,
    primaryContact: {
      firstName: 'Avery',
      lastName: 'Admin',
      email: `admin@${customer.domain}`,
    },
  };
}

export function hasAgreement(world: World, customerId: string, type = MCA): boolean {
  return world.agreements.some((a) => a.customerId === customerId && a.type.toLowerCase() === type.toLowerCase());
}
