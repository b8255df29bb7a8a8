import { z } from 'zod';
import type { AuthorityPolicy } from './authority-state';
import { apiPolicySchema, type ApiPolicy } from './api-policy';
import { CHARGE_TYPES } from './billing';
import { faultInputSchema, type FaultInput } from './faults';
import { createOnboardingControl, type ControlCall, type OnboardingControl } from './control-onboarding';
import { graphPolicySchema, type GraphPolicy, type GraphPolicyInput } from './graph';
import { consumedSeatsSchema, seedUsersSchema, type SeededUsers, type SeedUsersInput } from './tenant-users';
import { priceChangeSchema } from './price-controls';
import { eventDeliverySchema, eventRegistrationSchema, type EventDeliveryResult } from './event-delivery-schemas';

/** The /_sandbox/ control API: request schemas (shared with the server) and a typed client. */

export const resetSchema = z.object({ seed: z.number().int().optional() });
/** Up to 50 years at a time: far enough for any term, short of the end of JavaScript dates. */
export const advanceSchema = z.object({
  ms: z
    .number()
    .int()
    .min(0)
    .max(50 * 365 * 24 * 3_600_000),
});
export const delaysSchema = z.object({
  orderCompletionMs: z.number().int().min(0).optional(),
  orderListMs: z.number().int().min(0).optional(),
  subscriptionProvisioningMs: z.number().int().min(0).optional(),
  patchAcceptedMs: z.number().int().min(0).optional(),
  checkoutMs: z.number().int().min(0).max(60_000).optional(),
  reconLineMs: z.number().int().min(0).optional(),
  licenceVisibilityMs: z.number().int().min(0).optional(),
  qualificationReviewMs: z.number().int().min(0).optional(),
  accessAssignmentMs: z.number().int().min(0).optional(),
});
export const rotateSchema = z.object({
  productId: z.string().min(1),
  skuId: z.string().min(1),
  availabilityId: z.string().min(1),
});
export const provisioningSchema = z.object({ status: z.enum(['success', 'pending', 'failed']) });
export const throttlingSchema = z.object({
  partnerPerMinute: z.number().int().min(1).optional(),
  customerPerMinute: z.number().int().min(1).optional(),
});
/** A charge as if Partner Center had billed it now; `customerId` bills it to another customer of the partner (a misattributed charge). */
export const chargeSchema = z.object({
  subscriptionId: z.string().min(1),
  chargeType: z.enum(CHARGE_TYPES),
  /** Seats; negative for credits (removeQuantity, cancelImmediate). */
  quantity: z.number().int(),
  customerId: z.string().optional(),
});
/**
 * Bills the partner's unbilled lines of a period into a new invoice (copies: the unbilled lines stay);
 * `legacy` makes its Graph export fail with 5000, `generatedLines` makes an invoice whose export generates that many
 * lines: of synthetic subscriptions (the bench), or with `generatedForWorld` of the partner's own (billing.ts).
 */
export const invoiceSchema = z
  .object({
    period: z.enum(['current', 'previous']).default('current'),
    currency: z.string().default('USD'),
    legacy: z.boolean().default(false),
    generatedLines: z.number().int().min(1).optional(),
    generatedForWorld: z
      .object({
        /** Subscriptions the export leaves out: a missing charge each. */
        leaveOut: z.array(z.string()).default([]),
        /** Subscriptions billed one seat more than they have: a quantity mismatch each. */
        extraSeat: z.array(z.string()).default([]),
        /** Subscriptions nobody has, billed to the partner's customers in turn: an unexpected charge each. */
        unknown: z.number().int().min(0).max(1000).default(0),
      })
      .optional(),
  })
  .refine((invoice) => invoice.generatedForWorld === undefined || invoice.generatedLines !== undefined, {
    message: 'generatedForWorld needs generatedLines',
    path: ['generatedForWorld'],
  });
/**
 * A subscription as if bought through a cart that completed now, in the customer's market (a trial with the
 * trial SKU, e.g. Business Standard `0002`); for tests that need one without a purchase.
 */
export const seedSubscriptionSchema = z.object({
  customerId: z.string().min(1),
  productId: z.string().min(1),
  skuId: z.string().min(1),
  /** Defaults to the SKU's first term (P1M for a trial). */
  termDuration: z.enum(['P1M', 'P1Y', 'P3Y']).optional(),
  /** Defaults to the term's first billing cycle: `none` for a trial. */
  billingCycle: z.enum(['monthly', 'annual', 'triennial', 'none']).optional(),
  quantity: z.number().int().min(1),
  friendlyName: z.string().max(128).optional(),
});
export type SeedSubscriptionInput = z.infer<typeof seedSubscriptionSchema>;
/** More customers of the main partner, in bulk (e.g. for a bench of many subscriptions). */
export const addCustomersSchema = z.object({
  count: z.number().int().min(1).max(10_000),
  country: z.enum(['US', 'GB', 'DE']).default('US'),
});

export const mintTokenSchema = z.object({
  mode: z.enum(['app-only', 'app+user']),
  tenantId: z.string().optional(),
  expiresInSeconds: z.number().int().optional(),
  mfa: z.boolean().optional(),
  audience: z.string().optional(),
});

/** A customer's tenant (docs/sandbox.md, Customers' tenants): `gdapAccess: false` makes its Graph calls answer 403. */
export const tenantSettingsSchema = z.object({ gdapAccess: z.boolean().optional() });
/** Exactly `assigned` users of the tenant hold the licence SKU of `productId` (a Partner Center product) or `skuId` (its Graph GUID). */
export const assignedSeatsSchema = z
  .object({
    productId: z.string().min(1).optional(),
    skuId: z.string().min(1).optional(),
    assigned: z.number().int().min(0).max(100_000),
  })
  .refine((v) => (v.productId === undefined) !== (v.skuId === undefined), {
    message: 'give productId or skuId, not both',
    path: ['productId'],
  });
/** The term's last day becomes the day (UTC) of `commitmentEndDate`; the term ends (renews or expires) at the next midnight. */
export const termEndSchema = z.object({ commitmentEndDate: z.iso.datetime({ offset: true }).or(z.iso.date()) });

/** A customer's tenant as the control API shows it. */
export interface TenantView {
  customerId: string;
  gdapAccess: boolean;
  users: Array<{ id: string; userPrincipalName: string; usageLocation?: string; assignedSkuIds: string[] }>;
}

export const authorityPolicySchema = z.object({
  singleUseRefreshTokens: z.boolean().optional(),
  /** false: App+User tokens from the token endpoint lack `mfa` in `amr` (the API refuses them 401/900421). */
  mfaClaim: z.boolean().optional(),
  /** true: tokens from the token endpoint are for the retired https://graph.windows.net audience (401/900420). */
  legacyAudience: z.boolean().optional(),
});

export type DelaysInput = z.infer<typeof delaysSchema>;

export interface SandboxCounters {
  requests: Record<string, number>;
  ordersPerCart: Record<string, number>;
  tokens: { clientCredentials: number; refreshToken: number };
  replayedRequests: number;
  /** Agreement acceptances on record per customer id (seeded ones included). */
  agreementsPerCustomer: Record<string, number>;
}

export interface SandboxControl {
  reset(options?: z.infer<typeof resetSchema>): Promise<void>;
  now(): Promise<number>;
  advanceClock(ms: number): Promise<number>;
  setDelays(delays: DelaysInput): Promise<Required<DelaysInput>>;
  addFault(fault: FaultInput): Promise<string>;
  clearFaults(): Promise<void>;
  counters(): Promise<SandboxCounters>;
  /** Sets a SKU's monthly list price (USD, annual commitment) that the price sheets derive every row from. */
  changePrice(change: z.infer<typeof priceChangeSchema>): Promise<void>;
  rotateAvailability(
    offer: z.infer<typeof rotateSchema>,
  ): Promise<{ oldCatalogItemId: string; newCatalogItemId: string }>;
  setProvisioningStatus(subscriptionId: string, status: z.infer<typeof provisioningSchema>['status']): Promise<void>;
  setThrottling(limits: z.infer<typeof throttlingSchema>): Promise<void>;
  /** Adds an unbilled reconciliation line for a subscription (e.g. a charge nobody ordered). */
  addCharge(charge: z.infer<typeof chargeSchema>): Promise<void>;
  /** Removes every unbilled reconciliation line of a subscription (a charge Partner Center never made); how many went. */
  dropCharges(subscriptionId: string): Promise<number>;
  /** Changes what the Microsoft Graph billing host does (export run time, SAS lifetime, failures, the permission); answers the whole policy. */
  setGraphPolicy(policy: GraphPolicyInput): Promise<GraphPolicy>;
  /** Bills the period's unbilled lines into an invoice (see invoiceSchema); its id and line count. */
  createInvoice(options?: z.input<typeof invoiceSchema>): Promise<{ id: string; lines: number }>;
  /** Creates a subscription (and its completed order) now, e.g. a trial; answers its id and whether it is a trial. */
  seedSubscription(input: SeedSubscriptionInput): Promise<{ id: string; isTrial: boolean }>;
  /** Adds `count` customers of the main partner (MCA accepted, tenant on first use); answers their ids. A reset forgets them. */
  addCustomers(options: z.input<typeof addCustomersSchema>): Promise<string[]>;
  /** A signed access token without the token endpoint, e.g. expired or App+User without MFA. */
  mintToken(options: z.infer<typeof mintTokenSchema>): Promise<string>;
  /** Changes what the token authority issues (single-use refresh tokens, the MFA claim, the audience); answers the whole policy. */
  setAuthorityPolicy(policy: z.infer<typeof authorityPolicySchema>): Promise<AuthorityPolicy>;
  /** Changes how the API answers where Partner Center's behaviour is unconfirmed; answers the whole policy. */
  setApiPolicy(policy: z.infer<typeof apiPolicySchema>): Promise<ApiPolicy>;
  /** The customer's tenant: its users and their licences, and whether the partner has a GDAP role there. */
  tenant(customerId: string): Promise<TenantView>;
  /** Changes the customer's tenant (`gdapAccess: false`: every Graph call for it answers 403); answers it. */
  setTenant(customerId: string, settings: z.infer<typeof tenantSettingsSchema>): Promise<TenantView>;
  /** Makes exactly `assigned` users hold a licence SKU, creating users when there are too few (no seat check). */
  setAssignedSeats(
    customerId: string,
    seats: z.input<typeof assignedSeatsSchema>,
  ): Promise<{ skuId: string; skuPartNumber: string; assigned: number }>;
  /** Adds users to the customer's tenant, by name or by count (docs/sandbox.md); answers them and the tenant's total. */
  seedUsers(customerId: string, input: SeedUsersInput): Promise<SeededUsers>;
  /** Makes exactly `seats` users hold the subscription's licence SKU (no seat check). */
  setConsumedSeats(
    subscriptionId: string,
    seats: number,
  ): Promise<{ subscriptionId: string; skuId: string; consumed: number }>;
  /** Moves a subscription's term end (e.g. near, for a renewal); answers its new commitmentEndDate. */
  setTermEnd(subscriptionId: string, commitmentEndDate: string): Promise<{ id: string; commitmentEndDate: string }>;
  /** Relationship acceptance, qualification outcomes and GDAP approval (control-onboarding.ts). */
  onboarding: OnboardingControl;
  /** Registers the URL Partner Center events are delivered to (as `PUT /webhooks/v1/registration` would). */
  registerEventWebhook(url: string): Promise<void>;
  /** Delivers one event, signed, to the registered URL; answers what that URL answered. */
  deliverEvent(delivery: z.input<typeof eventDeliverySchema>): Promise<EventDeliveryResult>;
  /** Forgets a customer's agreement acceptances (its MCA included), so a purchase needs it confirmed; how many went. */
  withdrawAgreements(customerId: string): Promise<number>;
  /** Suppresses (or resumes) the delivery of the sandbox's own events: they go to the activity log only. */
  suppressEventDelivery(on: boolean): Promise<void>;
  /** Says an invoice is ready: an `invoice-ready` event to the registration. */
  invoiceReady(invoiceId: string): Promise<void>;
  /** How many event deliveries are still in flight (retrying). */
  eventDeliveriesInFlight(): Promise<number>;
}

export function createControlClient(baseUrl: string): SandboxControl {
  const call = controlCall(baseUrl);
  return {
    reset: async (options = {}) => {
      await call('POST', '/reset', options);
    },
    now: async () => (await call<{ now: number }>('GET', '/clock')).now,
    advanceClock: async (ms) => (await call<{ now: number }>('POST', '/clock/advance', { ms })).now,
    setDelays: (delays) => call('PUT', '/delays', delays),
    addFault: async (fault) => (await call<{ id: string }>('POST', '/faults', faultInputSchema.parse(fault))).id,
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    counters: () => call('GET', '/counters'),
    changePrice: async (change) => {
      await call('POST', '/prices', priceChangeSchema.parse(change));
    },
    rotateAvailability: (offer) => call('POST', '/catalog/rotate-availability', offer),
    setProvisioningStatus: async (subscriptionId, status) => {
      await call('POST', `/subscriptions/${encodeURIComponent(subscriptionId)}/provisioning`, { status });
    },
    setThrottling: async (limits) => {
      await call('PUT', '/throttling', limits);
    },
    addCharge: async (charge) => {
      await call('POST', '/billing/charges', chargeSchema.parse(charge));
    },
    dropCharges: async (subscriptionId) =>
      (await call<{ removed: number }>('DELETE', `/billing/charges/${encodeURIComponent(subscriptionId)}`)).removed,
    setGraphPolicy: (policy) => call('PUT', '/graph', graphPolicySchema.parse(policy)),
    createInvoice: async (options = {}) => call('POST', '/billing/invoices', invoiceSchema.parse(options)),
    seedSubscription: (input) => call('POST', '/subscriptions', seedSubscriptionSchema.parse(input)),
    addCustomers: async (options) =>
      (await call<{ ids: string[] }>('POST', '/customers', addCustomersSchema.parse(options))).ids,
    mintToken: async (options) => (await call<{ accessToken: string }>('POST', '/tokens', options)).accessToken,
    setAuthorityPolicy: (policy) => call('PUT', '/authority', authorityPolicySchema.parse(policy)),
    setApiPolicy: async (policy) => call('PUT', '/api-policy', apiPolicySchema.parse(policy)),
    ...tenantControls(call),
    onboarding: createOnboardingControl(call),
    withdrawAgreements: async (customerId) =>
      (await call<{ removed: number }>('DELETE', `/customers/${encodeURIComponent(customerId)}/agreements`)).removed,
    ...eventControls(call),
  };
}

/** One control request: JSON in and out, an error naming the route when the sandbox refuses it. */
function controlCall(baseUrl: string): ControlCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox control ${method} ${path} failed: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** The customers' tenants: users, licences, consumed seats, term ends. */
function tenantControls(
  call: ControlCall,
): Pick<SandboxControl, 'tenant' | 'setTenant' | 'setAssignedSeats' | 'seedUsers' | 'setConsumedSeats' | 'setTermEnd'> {
  return {
    tenant: (customerId) => call('GET', `/tenants/${encodeURIComponent(customerId)}`),
    setTenant: (customerId, settings) =>
      call('PUT', `/tenants/${encodeURIComponent(customerId)}`, tenantSettingsSchema.parse(settings)),
    setAssignedSeats: (customerId, seats) =>
      call('PUT', `/tenants/${encodeURIComponent(customerId)}/licences`, assignedSeatsSchema.parse(seats)),
    seedUsers: (customerId, input) =>
      call('POST', `/customers/${encodeURIComponent(customerId)}/users`, seedUsersSchema.parse(input)),
    setConsumedSeats: (subscriptionId, seats) =>
      call(
        'POST',
        `/subscriptions/${encodeURIComponent(subscriptionId)}/consumed`,
        consumedSeatsSchema.parse({ seats }),
      ),
    setTermEnd: (subscriptionId, commitmentEndDate) =>
      call('PUT', `/subscriptions/${encodeURIComponent(subscriptionId)}/term-end`, { commitmentEndDate }),
  };
}

/** Partner Center's webhook events: registration, deliveries, suppression, invoice-ready. */
function eventControls(
  call: ControlCall,
): Pick<
  SandboxControl,
  'registerEventWebhook' | 'deliverEvent' | 'suppressEventDelivery' | 'invoiceReady' | 'eventDeliveriesInFlight'
> {
  return {
    registerEventWebhook: async (url) => {
      await call('PUT', '/partner-center-events/registration', eventRegistrationSchema.parse({ url }));
    },
    deliverEvent: (delivery) => call('POST', '/partner-center-events/deliveries', eventDeliverySchema.parse(delivery)),
    suppressEventDelivery: async (on) => {
      await call('POST', '/webhooks/suppress', { on });
    },
    invoiceReady: async (invoiceId) => {
      await call('POST', `/invoices/${encodeURIComponent(invoiceId)}/ready`);
    },
    eventDeliveriesInFlight: async () => (await call<{ inFlight: number }>('GET', '/webhooks/deliveries')).inFlight,
  };
}
