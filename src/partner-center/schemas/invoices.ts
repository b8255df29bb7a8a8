/** Invoices and their reconciliation line items. */
import { z } from 'zod';
import { idText, lenientNumber, openEnum, optional, resourceAttributes, resourceLinks } from './common';
import { foldKeys } from '../keys';

export const CHARGE_TYPES = [
  'new',
  'renew',
  'cycleCharge',
  'addQuantity',
  'removeQuantity',
  'moveQuantity',
  'cancelImmediate',
  'convert',
  'changeBillingPlan',
  'customerCredit',
  'extendTerm',
] as const;

export const invoiceSchema = z.looseObject({
  id: z.string(),
  invoiceDate: optional(z.string()),
  billingPeriodStartDate: optional(z.string()),
  billingPeriodEndDate: optional(z.string()),
  totalCharges: optional(lenientNumber),
  paidAmount: optional(lenientNumber),
  currencyCode: optional(z.string()),
  currencySymbol: optional(z.string()),
  pdfDownloadLink: optional(z.string()),
  invoiceDetails: optional(z.array(z.unknown())),
  documentType: optional(z.string()),
  invoiceType: optional(z.string()),
  status: optional(z.string()),
  links: resourceLinks,
  attributes: resourceAttributes,
});
export type Invoice = z.infer<typeof invoiceSchema>;

const text = optional(z.string());
const amount = optional(lenientNumber);

const oneTimeInvoiceLineItemShape = {
  partnerId: text,
  customerId: text,
  customerName: text,
  customerDomainName: text,
  customerCountry: text,
  invoiceNumber: text,
  mpnId: optional(idText),
  resellerMpnId: optional(idText),
  orderId: text,
  orderDate: text,
  productId: text,
  skuId: text,
  availabilityId: text,
  productName: text,
  skuName: text,
  productQualifiers: optional(z.array(z.string())),
  chargeType: optional(openEnum(CHARGE_TYPES)),
  unitPrice: amount,
  effectiveUnitPrice: amount,
  unitType: text,
  quantity: amount,
  billableQuantity: amount,
  subtotal: amount,
  taxTotal: amount,
  totalForCustomer: amount,
  currency: text,
  pricingCurrency: text,
  pcToBCExchangeRate: amount,
  subscriptionId: text,
  subscriptionDescription: text,
  subscriptionStartDate: text,
  subscriptionEndDate: text,
  chargeStartDate: text,
  chargeEndDate: text,
  termAndBillingCycle: text,
  billingFrequency: text,
  promotionId: text,
  referenceId: text,
  alternateId: text,
  priceAdjustmentDescription: text,
  invoiceLineItemType: text,
  billingProvider: text,
  attributes: resourceAttributes,
};
/** A reconciliation line item: its fields read in any casing (the documentation's PascalCase or camelCase). */
export const oneTimeInvoiceLineItemSchema = z.preprocess(
  foldKeys(Object.keys(oneTimeInvoiceLineItemShape)),
  z.looseObject(oneTimeInvoiceLineItemShape),
);
export type OneTimeInvoiceLineItem = z.infer<typeof oneTimeInvoiceLineItemSchema>;
