/**
 * Partner Center's webhook registration (`/webhooks/v1/registration`), its validation events and the activity log
 * (`/v1/auditrecords`), read leniently: either case, unknown fields kept, numbers as strings.
 */
import { z } from 'zod';
import { anyCase, lenientInteger, optional } from './common';

export const webhookRegistrationSchema = anyCase(
  z.looseObject({
    subscriberId: optional(z.string()),
    webhookUrl: z.string(),
    webhookEvents: optional(z.array(z.string())).transform((events) => events ?? []),
  }),
);
export type WebhookRegistration = z.infer<typeof webhookRegistrationSchema>;

/** The registration we send: Partner Center's own PascalCase. */
export const webhookRegistrationInputSchema = z.strictObject({
  WebhookUrl: z.url(),
  WebhookEvents: z.array(z.string().min(1)).min(1),
});
export type WebhookRegistrationInput = z.infer<typeof webhookRegistrationInputSchema>;

export const webhookEventNamesSchema = z.union([
  z.array(z.string()),
  anyCase(z.looseObject({ items: z.array(z.string()) })).transform((list) => list.items),
]);

export const validationEventRequestSchema = anyCase(z.looseObject({ correlationId: z.string().min(1) }));

/** One delivery attempt of a validation event. */
export const validationAttemptSchema = anyCase(
  z.looseObject({
    eventName: optional(z.string()),
    attempt: optional(lenientInteger),
    sentAt: optional(z.string()),
    responseCode: optional(z.union([lenientInteger, z.string()])),
    responseBody: optional(z.string()),
  }),
);

export const validationEventSchema = anyCase(
  z.looseObject({
    correlationId: z.string(),
    partnerId: optional(z.string()),
    status: optional(z.string()),
    events: optional(z.array(validationAttemptSchema)).transform((events) => events ?? []),
  }),
);
export type ValidationEvent = z.infer<typeof validationEventSchema>;

/** An activity log record (`GET /v1/auditrecords`). */
export const auditRecordSchema = anyCase(
  z.looseObject({
    id: z.string(),
    partnerId: optional(z.string()),
    customerId: optional(z.string()),
    operationType: z.string(),
    operationDate: z.string(),
    operationStatus: optional(z.string()),
    resourceType: optional(z.string()),
    resourceOldValue: optional(z.string()),
    resourceNewValue: optional(z.string()),
  }),
);
export type AuditRecord = z.infer<typeof auditRecordSchema>;
