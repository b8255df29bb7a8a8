import { isPartnerCenterError, type PartnerCenterClient } from '../partner-center';
import { firstLine, ok, warning, type RecordCheck } from './doctor-checks';

export const WEBHOOK_REGISTRATION = 'Partner Center webhooks';

const REGISTER = 'pcw pc-webhooks register --url https://<the HTTP API host>/v1/partner-center/events';

/**
 * Partner Center's webhook registration (docs/partner-center-events.md): its URL and events. None is a warning, not a
 * failure: the activity-log backfill still finds every change, 15 minutes later.
 */
export async function checkWebhookRegistration(client: PartnerCenterClient, record: RecordCheck): Promise<void> {
  try {
    const registration = await client.getWebhookRegistration();
    record(
      WEBHOOK_REGISTRATION,
      registration === undefined
        ? warning(
            'no webhook is registered: changes reach the worker only through the activity-log backfill (every 15 minutes)',
            REGISTER,
          )
        : ok(`events ${registration.webhookEvents.join(', ')} go to ${registration.webhookUrl}`),
    );
  } catch (error) {
    const status = isPartnerCenterError(error) ? ` (HTTP ${error.status ?? '?'})` : '';
    record(
      WEBHOOK_REGISTRATION,
      warning(`the registration could not be read${status}: ${firstLine((error as Error).message)}`, REGISTER),
    );
  }
}
