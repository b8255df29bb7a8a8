/** Orders, their errors and the provisioning status of their line items. */
import { z } from 'zod';
import {
  billingCycle,
  errorCode,
  idText,
  lenientInteger,
  lenientNumber,
  openEnum,
  optional,
  pricing,
  resourceAttributes,
  stringRecord,
  termDuration,
} from './common';

export const ORDER_STATUSES = [
  'unknown',
  'completed',
  'pending',
  'cancelled',
  'suspended',
  'pending_review',
  'pending_po_upload',
  'po_upload_complete',
  'po_review_rejected',
  'partial_success',
  'error',
] as const;
export const ORDER_LINE_PROVISIONING_STATUSES = ['fulfilled', 'unfulfilled', 'prefulfillmentPending'] as const;

export const orderLineItemSchema = z.looseObject({
  lineItemNumber: lenientInteger,
  offerId: z.string(),
  subscriptionId: optional(z.string()),
  parentSubscriptionId: optional(z.string()),
  termDuration: optional(termDuration),
  transactionType: optional(z.string()),
  friendlyName: optional(z.string()),
  quantity: lenientInteger,
  billingCycle: optional(billingCycle),
  promotionId: optional(z.string()),
  customTermEndDate: optional(z.string()),
  pricing,
  provisioningContext: stringRecord,
  links: optional(z.record(z.string(), z.unknown())),
});
export type OrderLineItem = z.infer<typeof orderLineItemSchema>;

export const orderSchema = z.looseObject({
  id: z.string(),
  alternateId: optional(z.string()),
  referenceCustomerId: optional(z.string()),
  billingCycle: optional(billingCycle),
  currencyCode: optional(z.string()),
  currencySymbol: optional(z.string()),
  lineItems: optional(z.array(orderLineItemSchema)).transform((items) => items ?? []),
  creationDate: optional(z.string()),
  status: openEnum(ORDER_STATUSES),
  transactionType: optional(z.string()),
  totalPrice: optional(lenientNumber),
  links: optional(z.record(z.string(), z.unknown())),
  attributes: resourceAttributes,
});
export type Order = z.infer<typeof orderSchema>;

export const orderErrorSchema = z.looseObject({
  orderGroupId: idText,
  code: errorCode,
  description: optional(z.string()),
});
export type OrderError = z.infer<typeof orderErrorSchema>;

export const orderLineItemProvisioningStatusSchema = z.looseObject({
  orderLineItemId: optional(lenientInteger),
  lineItemNumber: lenientInteger,
  status: openEnum(ORDER_LINE_PROVISIONING_STATUSES),
  quantityProvisioningInformation: optional(
    z.array(z.looseObject({ quantity: lenientInteger, status: z.string() })),
  ).transform((items) => items ?? []),
});
export type OrderLineItemProvisioningStatus = z.infer<typeof orderLineItemProvisioningStatusSchema>;
