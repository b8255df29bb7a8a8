import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { PartnerCenterSettings, WorkerConfig } from './config';

/**
 * The settings `npm start` made (its sandbox, its CA, its Temporal server) left in `PCW_DATA_DIR/start-settings.json`
 * for `pcw` and `npm run api` in another terminal. The file is the owner's only (0600): it holds the sandbox's client
 * secret and CA, which go nowhere else (no log, no argv). When npm start stops, the file is replaced by a marker that
 * says so and holds no setting; a file whose process is gone (npm start killed) is stale and ignored, as is one whose
 * pid a later process has taken (its start time differs).
 */

export const START_SETTINGS_FILE = 'start-settings.json';

/** The Partner Center variables: taken from the file as a whole, or not at all when the environment sets any. */
const PARTNER_CENTER_GROUP = [
  'PARTNER_CENTER_BASE_URL',
  'MICROSOFT_GRAPH_BASE_URL',
  'PARTNER_PRICING_BASE_URL',
  'AZURE_AUTHORITY_HOST',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'PARTNER_CENTER_REFRESH_TOKEN',
];
/** The Temporal connection likewise: no address from the file beside a profile, TLS or API key of the environment. */
const TEMPORAL_GROUP = /^TEMPORAL_(?!TASK_QUEUE$|CONFIG_FILE$)/;

const startRecordSchema = z.object({
  pid: z.number().int().positive(),
  /**
   * When that process started, as the system counts it (Linux: /proc/{pid}/stat's start time, in clock ticks since
   * boot): a pid reused by a later process of the same user does not pass for npm start. Absent where the system
   * does not tell (the pid alone decides then).
   */
  processStart: z.string().optional(),
  startedAt: z.string(),
  /** Set when npm start stopped: the variables and CA are gone then. */
  stoppedAt: z.string().optional(),
  variables: z.record(z.string(), z.string()).default({}),
  /** The sandbox's CA (its authority and its events' certificates), trusted beside Node's store. */
  trustedCaPem: z.string().optional(),
});
type StartRecord = z.infer<typeof startRecordSchema>;

export interface StartSettings {
  variables: Record<string, string>;
  trustedCaPem?: string;
}

/** What npm start leaves: the sandbox's Partner Center settings, its plain Temporal connection and the task queue. */
export function startSettingsOf(
  config: WorkerConfig,
  sandbox?: { settings: PartnerCenterSettings; trustedCaPem: string },
): StartSettings {
  const { connectionOptions, namespace } = config.temporal;
  // A TLS or API-key connection stays in the environment of each terminal: its secrets are not written here.
  const plainTemporal = !connectionOptions.tls && connectionOptions.apiKey === undefined;
  const variables: Record<string, string> = {
    ...(plainTemporal && connectionOptions.address !== undefined
      ? { TEMPORAL_ADDRESS: connectionOptions.address, TEMPORAL_NAMESPACE: namespace }
      : {}),
    TEMPORAL_TASK_QUEUE: config.taskQueue,
  };
  if (sandbox === undefined) return { variables };
  const { settings } = sandbox;
  return {
    variables: {
      ...variables,
      PARTNER_CENTER_BASE_URL: settings.baseUrl,
      ...(settings.graphBaseUrl !== undefined ? { MICROSOFT_GRAPH_BASE_URL: settings.graphBaseUrl } : {}),
      ...(settings.pricingBaseUrl !== undefined ? { PARTNER_PRICING_BASE_URL: settings.pricingBaseUrl } : {}),
      AZURE_AUTHORITY_HOST: settings.authorityHost,
      AZURE_TENANT_ID: settings.tenantId,
      AZURE_CLIENT_ID: settings.clientId,
      ...('clientSecret' in settings.credential
        ? { AZURE_CLIENT_SECRET: settings.credential.clientSecret }
        : { AZURE_CLIENT_CERTIFICATE_PATH: settings.credential.certificatePath }),
      PARTNER_CENTER_WEBHOOK_CERT_HOSTS: config.partnerCenterEventCertHosts.join(','),
    },
    trustedCaPem: sandbox.trustedCaPem,
  };
}

export function startSettingsPath(env: NodeJS.ProcessEnv): string {
  return join(resolve(env.PCW_DATA_DIR ?? '.data'), START_SETTINGS_FILE);
}

/** Writes the file (0600) for as long as this process runs; `stopped()` replaces it by a marker without settings. */
export function leaveStartSettings(dataDir: string, settings: StartSettings): { path: string; stopped(): void } {
  const path = join(dataDir, START_SETTINGS_FILE);
  const startedAt = new Date().toISOString();
  const processStart = processStartOf(process.pid);
  const self = { pid: process.pid, ...(processStart !== undefined ? { processStart } : {}), startedAt };
  writeOwnerOnly(path, { ...self, ...settings });
  return { path, stopped: () => writeOwnerOnly(path, { ...self, stoppedAt: new Date().toISOString() }) };
}

/** Written beside, then renamed: a reader sees the old file or the new one, never half of one, never a wider mode. */
function writeOwnerOnly(path: string, record: z.input<typeof startRecordSchema>): void {
  const partial = `${path}.${process.pid}.partial`;
  try {
    unlinkSync(partial);
  } catch {
    // none left over
  }
  writeFileSync(partial, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(partial, path);
}

/** Where a command's settings came from, for doctor and the API's log. */
export type SettingsSource =
  | { kind: 'environment' }
  | { kind: 'start'; path: string; pid: number; variables: string[]; trustedCa: boolean }
  | { kind: 'ignored'; path: string; reason: string };

export interface EnvironmentBesideStart {
  env: NodeJS.ProcessEnv;
  /** The sandbox's CA, when its Partner Center settings came from the file. */
  trustedCaPem?: string;
  source: SettingsSource;
}

/**
 * The environment, with what a running npm start left filling what it does not set: the Partner Center settings
 * (and the sandbox's CA and certificate host) only when the environment names none, the Temporal connection only
 * when it names none, the task queue when unset. The environment always wins. A file of a start that stopped, of a
 * process that is gone or of another user is ignored, and `source` says why.
 */
export function environmentBesideStart(env: NodeJS.ProcessEnv): EnvironmentBesideStart {
  const path = startSettingsPath(env);
  const found = readStartRecord(path);
  if (found === undefined) return { env, source: { kind: 'environment' } };
  // Said only where it matters: an environment with its own Partner Center settings never needed the file.
  if (typeof found === 'string')
    return {
      env,
      source: PARTNER_CENTER_GROUP.some((name) => (env[name] ?? '').trim() !== '')
        ? { kind: 'environment' }
        : { kind: 'ignored', path, reason: found },
    };
  const taken = variablesToTake(env, found.variables);
  if (taken.length === 0) return { env, source: { kind: 'environment' } };
  const partnerCenter = taken.includes('AZURE_TENANT_ID');
  const trustedCaPem = partnerCenter ? found.trustedCaPem : undefined;
  return {
    env: { ...env, ...Object.fromEntries(taken.map((name) => [name, found.variables[name]])) },
    trustedCaPem,
    source: { kind: 'start', path, pid: found.pid, variables: taken, trustedCa: trustedCaPem !== undefined },
  };
}

/** The record of a running npm start; a string saying why the file is ignored; undefined without a file. */
function readStartRecord(path: string): StartRecord | string | undefined {
  let text: string;
  try {
    if (statSync(path).uid !== process.getuid?.()) return `${path} belongs to another user`;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `${path} cannot be read (${(error as Error).message})`;
  }
  let record: StartRecord;
  try {
    record = startRecordSchema.parse(JSON.parse(text));
  } catch {
    return `${path} is not a settings file of npm start`;
  }
  if (record.stoppedAt !== undefined)
    return `npm start (pid ${record.pid}) is not running: it stopped at ${record.stoppedAt}`;
  if (!running(record))
    return `npm start (pid ${record.pid}) is not running: it ended without stopping (its settings in ${path} are stale)`;
  return record;
}

/** The process that wrote the record still runs: its pid answers, and (where known) it started when the record says. */
function running(record: Pick<StartRecord, 'pid' | 'processStart'>): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    // ESRCH: gone. EPERM: a process of another user has that pid now, so not the npm start that wrote the file.
    return false;
  }
  return record.processStart === undefined || processStartOf(record.pid) === record.processStart;
}

/** A process's start time from /proc/{pid}/stat (field 22, after the parenthesised command name); undefined elsewhere. */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** The file's variables the environment leaves to it, group by group. */
function variablesToTake(env: NodeJS.ProcessEnv, variables: Record<string, string>): string[] {
  const unset = (name: string) => (env[name] ?? '').trim() === '';
  const names = Object.keys(variables);
  const partnerCenterFree = PARTNER_CENTER_GROUP.every(unset);
  const temporalFree = Object.keys(env).every((name) => !TEMPORAL_GROUP.test(name) || unset(name));
  return names.filter((name) => {
    if (!unset(name)) return false;
    if (PARTNER_CENTER_GROUP.includes(name) || name === 'PARTNER_CENTER_WEBHOOK_CERT_HOSTS') return partnerCenterFree;
    if (TEMPORAL_GROUP.test(name)) return temporalFree;
    return true;
  });
}

/** The config with the sandbox's CA on its Partner Center settings, when they came from the file. */
export function withStartCa<T extends WorkerConfig | undefined>(config: T, use: EnvironmentBesideStart): T {
  if (config?.partnerCenter === undefined || use.trustedCaPem === undefined) return config;
  return { ...config, partnerCenter: { ...config.partnerCenter, trustedCaPem: use.trustedCaPem } };
}

/** One line saying where the settings came from, or undefined when all came from the environment. */
export function describeSource(source: SettingsSource): string | undefined {
  if (source.kind === 'environment') return undefined;
  if (source.kind === 'ignored') return `${source.reason}: its settings are not used`;
  return `${source.variables.join(', ')}${source.trustedCa ? " and the sandbox's CA" : ''} from npm start (pid ${source.pid}, ${source.path}); the rest from the environment`;
}
