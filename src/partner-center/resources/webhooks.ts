/**
 * Partner Center's webhook registration (`{baseUrl}/webhooks/v1/registration`, partner-center-lifecycle.md): the
 * event names, the registration (create, read, update, delete), validation events and their delivery results; and
 * the activity log (`GET /v1/auditrecords`, seek-paged).
 */
import { PartnerCenterNotFoundError } from '../errors';
import { seekPage } from '../http/collections';
import { pathSegment, type HttpRequest, type PartnerCenterConnection } from '../http/exchange';
import { getJson, requestJson, strictBody } from '../http/json';
import { send } from '../http/send';
import {
  auditRecordSchema,
  validationEventRequestSchema,
  validationEventSchema,
  webhookEventNamesSchema,
  webhookRegistrationInputSchema,
  webhookRegistrationSchema,
} from '../schemas';
import type { PartnerCenterClient } from '../types';

const REGISTRATION = '/registration';
const AUDIT_PAGE_SIZE = 500;

export type WebhookOperations = Pick<
  PartnerCenterClient,
  | 'listWebhookEvents'
  | 'getWebhookRegistration'
  | 'registerWebhook'
  | 'deleteWebhookRegistration'
  | 'requestValidationEvent'
  | 'getValidationEvent'
  | 'listAuditRecordsPage'
>;

/** `connection` is the /v1 one: the registration lives beside it, under /webhooks/v1. */
export function webhookOperations(connection: PartnerCenterConnection): WebhookOperations {
  const webhooks: PartnerCenterConnection = {
    ...connection,
    apiRoot: connection.apiRoot.replace(/\/v1$/, '/webhooks/v1'),
  };
  return {
    listWebhookEvents: (o) => getJson(webhooks, webhookEventNamesSchema, { path: `${REGISTRATION}/events` }, o),
    getWebhookRegistration: async (o) => {
      try {
        return await getJson(webhooks, webhookRegistrationSchema, { path: REGISTRATION }, o);
      } catch (err) {
        if (err instanceof PartnerCenterNotFoundError) return undefined;
        throw err;
      }
    },
    registerWebhook: (registration, mode, o) =>
      requestJson(
        webhooks,
        webhookRegistrationSchema,
        {
          method: mode === 'create' ? 'POST' : 'PUT',
          path: REGISTRATION,
          body: strictBody(webhookRegistrationInputSchema, registration, 'webhook registration'),
        },
        o,
      ),
    deleteWebhookRegistration: async (o) => {
      await send(webhooks, { method: 'DELETE', path: REGISTRATION }, o);
    },
    requestValidationEvent: async (o) =>
      (
        await requestJson(
          webhooks,
          validationEventRequestSchema,
          { method: 'POST', path: `${REGISTRATION}/validationEvents` },
          o,
        )
      ).correlationId,
    getValidationEvent: (correlationId, o) =>
      getJson(
        webhooks,
        validationEventSchema,
        { path: `${REGISTRATION}/validationEvents/${pathSegment(correlationId)}` },
        o,
      ),
    listAuditRecordsPage: (q, cursor, o) => {
      const first: HttpRequest = {
        method: 'GET',
        path: '/auditrecords',
        query: { startDate: q.startDate, endDate: q.endDate, filter: q.filter, size: q.size ?? AUDIT_PAGE_SIZE },
      };
      return seekPage(connection, auditRecordSchema, first, cursor, o);
    },
  };
}
