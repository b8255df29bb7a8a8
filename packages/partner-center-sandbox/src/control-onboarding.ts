import { z } from 'zod';
import type { EventDeliveryResult } from './event-delivery-schemas';

/** The onboarding part of the /_sandbox/ control API (docs/sandbox.md, Customer onboarding): schemas and typed client. */

/** A tenant's initial domain: `<prefix>.onmicrosoft.com`, the prefix letters and digits. */
const ONMICROSOFT_DOMAIN = /^[A-Za-z0-9]{1,63}\.onmicrosoft\.com$/;
const ONMICROSOFT_DOMAIN_RULE = "must be '<prefix>.onmicrosoft.com' (prefix: letters and digits)";
export const onMicrosoftDomain = z.string().regex(ONMICROSOFT_DOMAIN, ONMICROSOFT_DOMAIN_RULE);

/** The tenant accepts the partner's reseller invitation; an unknown tenant is created with this domain and name. */
export const acceptRelationshipSchema = z.object({
  domain: onMicrosoftDomain.optional(),
  companyName: z.string().trim().min(1).optional(),
});
/** Ends a customer's qualification review now with this outcome. */
export const qualificationResultSchema = z.object({
  status: z.enum(['Approved', 'Denied']),
  reason: z.string().optional(),
});

/** What a control that raises a Partner Center event answers about it: null when no webhook took it. */
export interface RaisedEvent {
  name: string;
  delivery: EventDeliveryResult | null;
}

export interface OnboardingControl {
  /** The tenant becomes the main partner's customer (created when unknown) and `reseller-relationship-accepted-by-customer` is raised. */
  acceptRelationship(
    tenantId: string,
    options?: z.input<typeof acceptRelationshipSchema>,
  ): Promise<{ customerId: string; domain: string; created: boolean; event: RaisedEvent }>;
  /** The customer ends its qualification review now; answers the qualification. */
  setQualificationResult(
    customerId: string,
    result: z.input<typeof qualificationResultSchema>,
  ): Promise<{ qualification: string; vettingStatus: string; vettingReason: string | null }>;
  /** The customer approves a GDAP relationship locked for approval; answers the relationship and the raised event. */
  approveGdap(relationshipId: string): Promise<{ relationship: Record<string, unknown>; event: RaisedEvent | null }>;
}

export type ControlCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function createOnboardingControl(call: ControlCall): OnboardingControl {
  return {
    acceptRelationship: (tenantId, options = {}) =>
      call(
        'POST',
        `/customers/${encodeURIComponent(tenantId)}/accept-relationship`,
        acceptRelationshipSchema.parse(options),
      ),
    setQualificationResult: (customerId, result) =>
      call(
        'POST',
        `/customers/${encodeURIComponent(customerId)}/qualification-result`,
        qualificationResultSchema.parse(result),
      ),
    approveGdap: (relationshipId) => call('POST', `/gdap/${encodeURIComponent(relationshipId)}/approve`),
  };
}
