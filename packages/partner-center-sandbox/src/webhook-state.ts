/**
 * What the sandbox keeps of Partner Center's webhooks (docs/sandbox.md, Partner Center events): the registration,
 * the validation events and their delivery attempts, and the switch that suppresses delivery.
 * Kept beside the world, not in it: a reset clears it, the data file does not keep it.
 */

/** The event names `GET /webhooks/v1/registration/events` lists (partner-center-lifecycle.md). */
export const WEBHOOK_EVENT_NAMES = [
  'test-created',
  'subscription-updated',
  'invoice-ready',
  'usagerecords-thresholdExceeded',
  'azure-fraud-event-detected',
  'reseller-relationship-accepted-by-customer',
  'granular-admin-relationship-approved',
  'granular-admin-relationship-activated',
  'granular-admin-relationship-terminated',
  'granular-admin-relationship-expired',
  'granular-admin-access-assignment-created',
  'granular-admin-access-assignment-activated',
  'granular-admin-access-assignment-updated',
  'granular-admin-access-assignment-deleted',
] as const;

/** One delivery attempt of an event, as a validation event's results list them. */
export interface DeliveryAttempt {
  eventName: string;
  webhookUrl: string;
  attempt: number;
  sentAt: string;
  /** The receiver's HTTP status; 0 when it could not be reached. */
  responseCode: number;
  responseBody?: string;
}

export interface ValidationEvent {
  correlationId: string;
  partnerId: string;
  status: 'pending' | 'completed' | 'failed';
  events: DeliveryAttempt[];
}

/** An activity log record (`GET /v1/auditrecords`), in Partner Center's field names. */
export interface AuditRecord {
  id: string;
  partnerId: string;
  customerId: string;
  customerName: string;
  userPrincipalName: string;
  applicationId: string;
  resourceType: string;
  /** The resource before the change (JSON text); absent when it was created. */
  resourceOldValue?: string;
  resourceNewValue: string;
  operationType: string;
  operationStatus: 'succeeded';
  operationDate: string;
  customizedData: Array<{ key: string; value: string }>;
  /** The sandbox clock's ms of operationDate, for the date window. */
  at: number;
}

/** A subscription as its activity log records show it (before and after a change). */
export interface SubscriptionView {
  id: string;
  offerId: string;
  friendlyName: string;
  quantity: number;
  status: string;
  autoRenewEnabled: boolean;
}

export interface EventState {
  /** Where events are delivered; none until registered (PC registration or the control route). */
  webhookUrl?: string;
  /** The events the registration asked for; every name when registered through the control route. */
  webhookEvents: string[];
  /** The partner tenant that registered. */
  partnerId?: string;
  /** `POST /_sandbox/webhooks/suppress`: events are recorded in the activity log only, not delivered. */
  suppressed: boolean;
  validations: Map<string, ValidationEvent>;
  /** When validation events were requested (the 2-per-minute limit). */
  validationTimes: number[];
  /** Each subscription's etag and view when changes were last looked for (change-events.ts). */
  knownSubscriptions?: Map<string, { etag: string; view: SubscriptionView }>;
  /** Deliveries in flight, so a test can wait for them. */
  inFlight: Set<Promise<void>>;
}

export function createEventState(): EventState {
  return {
    webhookEvents: [...WEBHOOK_EVENT_NAMES],
    suppressed: false,
    validations: new Map(),
    validationTimes: [],
    inFlight: new Set(),
  };
}

export function resetEventState(state: EventState): void {
  Object.assign(state, { ...createEventState(), inFlight: state.inFlight });
  state.webhookUrl = undefined;
  state.partnerId = undefined;
  state.knownSubscriptions = undefined;
}
