/**
 * What a purchase may need first: the customer's acceptance of an agreement (reference §1.3, §8), promotions
 * and the customer's eligibility for them, and the end dates a new subscription may be co-termed to (§6.8).
 * These resources are read in either property-name case.
 */
import { pathSegment, type PartnerCenterConnection } from '../http/exchange';
import { getAnyCaseItems, requestJson, strictBody } from '../http/json';
import { listAll } from '../http/collections';
import {
  agreementMetadataSchema,
  anyCase,
  collectionSchema,
  customerAgreementInputSchema,
  customerAgreementSchema,
  customTermEndDateSchema,
  productPromotionSchema,
  promotionEligibilityInputSchema,
  promotionEligibilityItemSchema,
} from '../schemas';
import type { PartnerCenterClient } from '../types';

export type PrerequisiteOperations = Pick<
  PartnerCenterClient,
  | 'listAgreementTemplates'
  | 'listCustomerAgreements'
  | 'createCustomerAgreement'
  | 'listProductPromotions'
  | 'checkPromotionEligibilities'
  | 'listCustomTermEndDates'
>;

export function prerequisiteOperations(connection: PartnerCenterConnection): PrerequisiteOperations {
  const customerPath = (customerId: string) => `/customers/${pathSegment(customerId)}`;
  return {
    listAgreementTemplates: async (agreementType, o) =>
      getAnyCaseItems(connection, agreementMetadataSchema, { path: '/agreements', query: { agreementType } }, o),
    listCustomerAgreements: async (customerId, agreementType, o) =>
      getAnyCaseItems(
        connection,
        customerAgreementSchema,
        { path: `${customerPath(customerId)}/agreements`, query: { agreementType } },
        o,
      ),
    createCustomerAgreement: async (customerId, agreement, o) =>
      requestJson(
        connection,
        customerAgreementSchema,
        {
          method: 'POST',
          path: `${customerPath(customerId)}/agreements`,
          body: strictBody(customerAgreementInputSchema, agreement, 'agreement'),
        },
        o,
      ),
    listProductPromotions: (q, o) =>
      listAll(
        connection,
        productPromotionSchema,
        { path: '/productPromotions', query: { country: q.country, segment: q.segment } },
        o,
      ),
    checkPromotionEligibilities: async (customerId, eligibilityItems, o) => {
      const body = {
        items: eligibilityItems.map((i) => strictBody(promotionEligibilityInputSchema, i, 'eligibility item')),
      };
      const path = `${customerPath(customerId)}/promotionEligibilities`;
      const schema = anyCase(collectionSchema(promotionEligibilityItemSchema));
      return (await requestJson(connection, schema, { method: 'POST', path, body }, o)).items;
    },
    listCustomTermEndDates: async (customerId, q, o) =>
      getAnyCaseItems(
        connection,
        customTermEndDateSchema,
        { path: `${customerPath(customerId)}/subscriptions/customTermEndDates`, query: q },
        o,
      ),
  };
}
