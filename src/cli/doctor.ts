import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig, type WorkerConfig } from '../config';
import { parseEncryptionKeys } from '../settings/encryption-keys';
import { safeOrigin, sendSignedEvent } from '../webhooks';
import { redactSecrets } from '../partner-center/auth';
import { describeSource, withStartCa, type EnvironmentBesideStart } from '../start-settings';
import {
  failed,
  firstLine,
  ok,
  skipped,
  warning,
  type Check,
  type CheckStatus,
  type Outcome,
  type RecordCheck,
} from './doctor-checks';
import { checkPartnerCenter } from './doctor-partner-center';
import { checkTemporal } from './doctor-temporal';
import { UsageError } from './errors';
import type { Output } from './output';

/**
 * `pcw doctor`: one line per check of the operator's setup, the fix under each failed one, exit 1 if any failed.
 * The Temporal checks are in doctor-temporal.ts, the Partner Center ones in doctor-partner-center.ts.
 */

/** Runs every check and prints the checklist; `connectTimeoutMs` is the one every pcw command waits for Temporal. */
export async function doctor(
  args: string[],
  beside: EnvironmentBesideStart,
  out: Output,
  connectTimeoutMs: number,
): Promise<number> {
  if (args.length > 0) throw new UsageError([`doctor takes no arguments (got ${args.join(' ')})`]);
  const checks: Check[] = [];
  const record = (name: string, outcome: Outcome) => checks.push({ name, ...outcome });
  const { env } = beside;
  checkSettingsSource(beside, record);

  let config: WorkerConfig | undefined;
  try {
    config = withStartCa(loadConfig(env, { requirePartnerCenter: true }), beside);
    record('configuration', ok('every setting is valid'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    record(
      'configuration',
      failed(
        `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}: ${error.problems.join('; ')}`,
        'correct the settings named above in the environment (README.md lists them all)',
      ),
    );
  }

  await checkTemporal(config, connectTimeoutMs, record);
  const secrets = await checkPartnerCenter(config, env, record);
  checkEncryptionKeys(env, record);
  await checkWebhook(config, env, record);

  const healthy = checks.every((check) => check.status !== 'failed');
  // Belt and braces: no message from an authority or a server may carry a credential we hold.
  const clean = (text: string) => redactSecrets(text, secrets);
  const report = checks.map((check) => ({
    ...check,
    detail: clean(check.detail),
    ...(check.fix !== undefined ? { fix: clean(check.fix) } : {}),
  }));
  out.emit({ ok: healthy, checks: report }, report.map(line(process.stdout.isTTY === true)).join('\n'));
  return healthy ? 0 : 1;
}

/** Only beside a settings file of `npm start`: which settings came from it, or why it was ignored. */
function checkSettingsSource({ source }: EnvironmentBesideStart, record: RecordCheck): void {
  const line = describeSource(source);
  if (line === undefined) return;
  record(
    'settings',
    source.kind === 'start'
      ? ok(line)
      : warning(line, 'start `npm start` again, or set the settings in this environment (README.md lists them all)'),
  );
}

/** Only when PAYLOAD_ENCRYPTION_KEYS is set: key ids and 256-bit keys well-formed, which key encrypts. */
function checkEncryptionKeys(env: NodeJS.ProcessEnv, record: RecordCheck): void {
  const text = (env.PAYLOAD_ENCRYPTION_KEYS ?? '').trim();
  if (text === '') return;
  const name = 'encryption keys';
  const parsed = parseEncryptionKeys(text);
  if (!parsed.ok) {
    record(
      name,
      failed(
        `PAYLOAD_ENCRYPTION_KEYS: ${parsed.problem}`,
        'list keyId:base64key entries, e.g. PAYLOAD_ENCRYPTION_KEYS=k2026:$(openssl rand -base64 32); keep every key still needed to read old histories after the first',
      ),
    );
    return;
  }
  const [current, ...older] = parsed.keys;
  record(
    name,
    ok(
      `${parsed.keys.length} AES-256-GCM key${parsed.keys.length === 1 ? '' : 's'}: "${current.id}" encrypts${older.length > 0 ? `, ${older.map((k) => `"${k.id}"`).join(', ')} only decrypt` : ''}`,
    ),
  );
}

/**
 * Only when PCW_WEBHOOK_URL is set: a signed `doctor.ping` event (same headers and signature as every event, its own
 * id each time) must get a 2xx. A receiver that verifies signatures answers 401/403 to a secret it does not share.
 */
async function checkWebhook(config: WorkerConfig | undefined, env: NodeJS.ProcessEnv, record: RecordCheck) {
  if ((env.PCW_WEBHOOK_URL ?? '').trim() === '') return;
  const name = 'webhook receiver';
  const url = config?.webhooks?.url;
  if (config?.webhooks === undefined || url === undefined) {
    record(name, skipped('the configuration is not valid'));
    return;
  }
  const origin = safeOrigin(url);
  const event = {
    id: `doctor.ping/${randomUUID()}`,
    type: 'doctor.ping',
    timestamp: new Date().toISOString(),
    data: { message: 'pcw doctor checks that this receiver accepts signed events; nothing to do' },
  };
  let status: number;
  try {
    const response = await sendSignedEvent(config.webhooks, url, event);
    await response.body?.cancel();
    status = response.status;
  } catch (error) {
    record(
      name,
      failed(
        `PCW_WEBHOOK_URL is not reachable at ${origin} (${firstLine(String((error as Error).cause ?? (error as Error).message))})`,
        'start the receiver, or correct PCW_WEBHOOK_URL (https, or http on a loopback host)',
      ),
    );
    return;
  }
  if (status >= 200 && status < 300) {
    record(name, ok(`${origin} accepted a signed doctor.ping event (HTTP ${status})`));
  } else if (status === 401 || status === 403) {
    record(
      name,
      failed(
        `${origin} refused the signature of a signed doctor.ping event (HTTP ${status})`,
        'give the receiver the same PCW_WEBHOOK_SECRET as the worker (Standard Webhooks, whsec_ + base64)',
      ),
    );
  } else {
    record(
      name,
      failed(
        `${origin} answered HTTP ${status} to a signed doctor.ping event`,
        'check PCW_WEBHOOK_URL (path included) and that the receiver answers 2xx to events it accepts',
      ),
    );
  }
}

function line(tty: boolean): (check: Check) => string {
  const marks: Record<CheckStatus, string> = tty
    ? { ok: '✓', failed: '✗', warning: '!', skipped: '-' }
    : { ok: 'ok  ', failed: 'FAIL', warning: 'WARN', skipped: 'skip' };
  return (check) =>
    `${marks[check.status]} ${check.name}: ${check.detail}${check.fix !== undefined ? `\n    fix: ${check.fix}` : ''}`;
}
