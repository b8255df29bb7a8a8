import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PartnerCenterSettings } from '../config';

/**
 * Partner Center answers a validation event's results only by its correlation id (kept 7 days) and lists none, so
 * `pcw pc-webhooks test` remembers the last one it asked for, per Partner Center host and partner tenant, for
 * `status` to read back. The file holds correlation ids and times only; it is the user's state
 * (`$XDG_STATE_HOME/pcw/pc-webhooks.json`, `~/.local/state` when unset).
 */
export interface RememberedValidation {
  correlationId: string;
  requestedAt: string;
}

export function validationMemoryFile(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
      ? env.XDG_STATE_HOME
      : join(homedir(), '.local', 'state');
  return join(base, 'pcw', 'pc-webhooks.json');
}

const keyOf = (settings: Pick<PartnerCenterSettings, 'baseUrl' | 'tenantId'>) =>
  `${settings.baseUrl} ${settings.tenantId}`;

/** Every remembered validation by key; an unreadable or missing file is an empty memory. */
function readMemory(file: string): Record<string, RememberedValidation> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, RememberedValidation>) : {};
  } catch {
    return {};
  }
}

export function lastValidation(
  settings: Pick<PartnerCenterSettings, 'baseUrl' | 'tenantId'>,
  file = validationMemoryFile(),
): RememberedValidation | undefined {
  const remembered = readMemory(file)[keyOf(settings)];
  return typeof remembered?.correlationId === 'string' ? remembered : undefined;
}

/** Written whole to a temporary file and renamed: a reader never sees half a file. */
export function rememberValidation(
  settings: Pick<PartnerCenterSettings, 'baseUrl' | 'tenantId'>,
  validation: RememberedValidation,
  file = validationMemoryFile(),
): void {
  const memory = { ...readMemory(file), [keyOf(settings)]: validation };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(memory, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
