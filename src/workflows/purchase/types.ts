/**
 * Contract §3 data of `purchaseSubscription`, plus the shapes its activities exchange with it, one module per
 * concern. Pure zod: imported by the activities and upstream clients alike, and by the workflow bundle only through
 * common/schemas.ts (which loads this module when a run needs the schemas).
 */
export type { InvalidField } from '../common/validation';
export * from './offer';
export * from './request';
export * from './result';
export * from './message-args';
export type * from './activity-shapes';
export * from './quote-types';
