import type { PartnerCenterEvent } from './types';

/** What an event asks of the worker, read from its name and resource URI alone (pure; never throws). */
export type EventAction =
  | { kind: 'subscription-changed'; customerId: string; subscriptionId: string }
  | { kind: 'invoice-ready'; invoiceId: string }
  /** The onboarding waiting on this tenant's acceptance, or on this GDAP relationship's approval. */
  | { kind: 'onboarding'; target: { tenantId: string } | { relationshipId: string } }
  | { kind: 'record'; outcome: 'recorded' | 'ignored'; detail: string };

const SUBSCRIPTION_PATH = /\/customers\/([^/?#]+)\/subscriptions\/([^/?#]+)\/?(?:[?#]|$)/i;
const INVOICE_PATH = /\/invoices\/([^/?#]+)\/?(?:[?#]|$)/i;

const CUSTOMER_PATH = /\/customers\/([^/?#]+)\/?$/i;
const RELATIONSHIP_PATH = /\/delegatedAdminRelationships\/([^/?#]+)\/?$/i;

export function eventAction(event: PartnerCenterEvent): EventAction {
  const name = event.EventName.toLowerCase();
  const path = resourcePath(event.ResourceUri);
  if (name === 'subscription-updated') {
    const match = SUBSCRIPTION_PATH.exec(path);
    if (match === null) return ignored(`ResourceUri ${clipped(event.ResourceUri)} names no customer's subscription`);
    return { kind: 'subscription-changed', customerId: decoded(match[1]), subscriptionId: decoded(match[2]) };
  }
  if (name === 'invoice-ready') {
    const match = INVOICE_PATH.exec(path);
    if (match === null) return ignored(`ResourceUri ${clipped(event.ResourceUri)} names no invoice`);
    return { kind: 'invoice-ready', invoiceId: decoded(match[1]) };
  }
  if (name === 'test-created')
    return { kind: 'record', outcome: 'recorded', detail: 'a test event: recorded, nothing to do' };
  if (name === 'reseller-relationship-accepted-by-customer') {
    const match = CUSTOMER_PATH.exec(path);
    if (match === null) return ignored(`ResourceUri ${clipped(event.ResourceUri)} names no customer`);
    return { kind: 'onboarding', target: { tenantId: decoded(match[1]) } };
  }
  if (name === 'granular-admin-relationship-approved') {
    const match = RELATIONSHIP_PATH.exec(path);
    if (match === null) return ignored(`ResourceUri ${clipped(event.ResourceUri)} names no GDAP relationship`);
    return { kind: 'onboarding', target: { relationshipId: decoded(match[1]) } };
  }
  return ignored(`${clipped(event.EventName)} is not an event this worker acts on`);
}

/** The path of the resource URI (absolute or relative); '' when it has none. */
function resourcePath(uri: string): string {
  const withoutOrigin = uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return withoutOrigin.split(/[?#]/, 1)[0] ?? '';
}

function decoded(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}

function ignored(detail: string): EventAction {
  return { kind: 'record', outcome: 'ignored', detail };
}

function clipped(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}
