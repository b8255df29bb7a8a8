/**
 * Zod schemas of the Partner Center resources, one file per resource family over the lenient building
 * blocks of common.ts. The blocks only the family files use (`optional`, `resourceLinks` …) stay out of here.
 */
export {
  anyCase,
  BILLING_CYCLES,
  billingCycle,
  canonicalSpelling,
  collectionSchema,
  errorBodySchema,
  errorCode,
  lenientBoolean,
  lenientInteger,
  lenientNumber,
  linkSchema,
  openEnum,
  segment,
  SEGMENTS,
  TERM_DURATIONS,
  termDuration,
  type ErrorBody,
  type Link,
} from './common';
export * from './catalog';
export * from './customers';
export * from './carts';
export * from './orders';
export * from './subscriptions';
export * from './invoices';
export * from './prerequisites';
export * from './webhooks';
