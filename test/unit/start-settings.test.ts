import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import {
  describeSource,
  environmentBesideStart,
  leaveStartSettings,
  processStartOf,
  startSettingsOf,
  withStartCa,
} from '../../src/start-settings';

/** The file npm start leaves for a second terminal: what it holds, how readers merge it, when they ignore it. */

const SECRET = 'sandbox-client-secret-0123456789';
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pcw-start-settings-unit-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const sandboxSettings = {
  settings: {
    baseUrl: 'http://127.0.0.1:8091',
    graphBaseUrl: 'http://127.0.0.1:8091/graph',
    authorityHost: 'https://127.0.0.1:40001',
    tenantId: '11111111-1111-4111-8111-111111111111',
    clientId: '22222222-2222-4222-8222-222222222222',
    credential: { clientSecret: SECRET },
  },
  trustedCaPem: CA,
};

function configOf(env: NodeJS.ProcessEnv) {
  return loadConfig(
    { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', PARTNER_CENTER_WEBHOOK_CERT_HOSTS: '127.0.0.1', ...env },
    { requirePartnerCenter: false },
  );
}

function leave() {
  return leaveStartSettings(
    dataDir,
    startSettingsOf(configOf({ TEMPORAL_ADDRESS: '127.0.0.1:7233' }), sandboxSettings),
  );
}

const besideEnv = (env: NodeJS.ProcessEnv = {}) => environmentBesideStart({ PCW_DATA_DIR: dataDir, ...env });

describe('npm start’s settings file', () => {
  it('is the owner’s only, whatever the umask, and holds the sandbox’s settings, CA and cert host', () => {
    const umask = process.umask(0);
    try {
      const { path } = leave();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
        pid: process.pid,
        variables: {
          TEMPORAL_ADDRESS: '127.0.0.1:7233',
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_TASK_QUEUE: 'partner-center',
          AZURE_CLIENT_SECRET: SECRET,
          PARTNER_CENTER_WEBHOOK_CERT_HOSTS: '127.0.0.1',
        },
        trustedCaPem: CA,
      });
    } finally {
      process.umask(umask);
    }
  });

  it('leaves out a Temporal connection that needs TLS or an API key, and Partner Center settings npm start did not make', () => {
    const config = configOf({ TEMPORAL_ADDRESS: 'example.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-0123456789' });
    expect(startSettingsOf(config).variables).toEqual({ TEMPORAL_TASK_QUEUE: 'partner-center' });
  });

  it('fills what the environment leaves unset; the config carries the CA; the source names each variable', () => {
    leave();
    const beside = besideEnv();
    expect(beside.env).toMatchObject({ AZURE_CLIENT_SECRET: SECRET, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    const config = withStartCa(configOf(beside.env), beside);
    expect(config.partnerCenter).toMatchObject({ tenantId: sandboxSettings.settings.tenantId, trustedCaPem: CA });
    expect(describeSource(beside.source)).toMatch(
      new RegExp(
        `^TEMPORAL_ADDRESS, .*AZURE_CLIENT_SECRET.* and the sandbox's CA from npm start \\(pid ${process.pid}, `,
      ),
    );
    expect(describeSource(beside.source)).not.toContain(SECRET);
  });

  it('never mixes groups: one Partner Center or Temporal variable of the environment keeps the whole group', () => {
    leave();
    const beside = besideEnv({ AZURE_TENANT_ID: 'contoso.onmicrosoft.com', TEMPORAL_PROFILE: 'prod' });
    expect(beside.env.AZURE_CLIENT_SECRET).toBeUndefined();
    expect(beside.env.PARTNER_CENTER_WEBHOOK_CERT_HOSTS).toBeUndefined();
    expect(beside.env.TEMPORAL_ADDRESS).toBeUndefined();
    expect(beside.env.TEMPORAL_NAMESPACE).toBeUndefined();
    expect(beside.env.TEMPORAL_TASK_QUEUE).toBe('partner-center');
    expect(beside.trustedCaPem).toBeUndefined();
    expect(besideEnv({ TEMPORAL_TASK_QUEUE: 'mine' }).env.TEMPORAL_TASK_QUEUE).toBe('mine');
  });

  it('says a stopped npm start is not running and keeps no setting after it stopped', () => {
    const { path, stopped } = leave();
    stopped();
    expect(readFileSync(path, 'utf8')).not.toContain(SECRET);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const beside = besideEnv();
    expect(beside.env.AZURE_TENANT_ID).toBeUndefined();
    expect(describeSource(beside.source)).toMatch(
      /^npm start \(pid \d+\) is not running: it stopped at \S+: its settings are not used$/,
    );
  });

  it('ignores the file of a process that is gone (npm start killed), saying it is stale', () => {
    const { path } = leave();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const record = JSON.parse(readFileSync(path, 'utf8')) as { pid: number };
    writeFileSync(path, JSON.stringify({ ...record, pid: Number(gone.stdout) }));
    const beside = besideEnv();
    expect(beside.env.AZURE_CLIENT_SECRET).toBeUndefined();
    expect(describeSource(beside.source)).toMatch(/ended without stopping \(its settings in .* are stale\)/);
    // An environment with its own Partner Center settings never needed the file: nothing to say.
    expect(besideEnv({ AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }).source).toEqual({ kind: 'environment' });
  });

  it('ignores a file whose pid a later process of the same user has taken (another start time)', () => {
    const { path } = leave();
    const record = JSON.parse(readFileSync(path, 'utf8')) as { processStart?: string };
    // This test's own process runs: it stands for the later one holding npm start's pid.
    expect(record.processStart).toBe(processStartOf(process.pid));
    expect(record.processStart).toMatch(/^\d+$/);
    expect(besideEnv().env.AZURE_CLIENT_SECRET).toBe(SECRET);
    writeFileSync(path, JSON.stringify({ ...record, processStart: String(Number(record.processStart) - 1) }));
    const beside = besideEnv();
    expect(beside.env.AZURE_CLIENT_SECRET).toBeUndefined();
    expect(describeSource(beside.source)).toMatch(/ended without stopping \(its settings in .* are stale\)/);
  });

  it('ignores a file that is not npm start’s, and says nothing without a file', () => {
    expect(besideEnv().source).toEqual({ kind: 'environment' });
    writeFileSync(join(dataDir, 'start-settings.json'), 'not json');
    expect(describeSource(besideEnv().source)).toMatch(/is not a settings file of npm start/);
  });
});
