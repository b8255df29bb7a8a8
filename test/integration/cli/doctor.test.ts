import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';

/**
 * `pcw doctor` through the installed bin against a real sandbox and the run's Temporal dev server: green on a
 * good setup (App-only and App+User), and for each broken setting the right line red, its fix, exit 1.
 */

let tree: InstalledTree;
let sandbox: Sandbox;
let noMfaSandbox: Sandbox;
/** Its app lacks PartnerBilling.Read.All: every Graph billing call answers 403. */
let noBillingSandbox: Sandbox;
beforeAll(async () => {
  tree = installedTree();
  [sandbox, noMfaSandbox, noBillingSandbox] = await Promise.all([
    startSandbox(),
    startSandbox({ mfaClaim: false }),
    startSandbox(),
  ]);
  await noBillingSandbox.control.setGraphPolicy({ billingPermission: false });
  await sandbox.control.registerEventWebhook(REGISTERED_URL);
});

const REGISTERED_URL = 'https://pcw.example.test/v1/partner-center/events';
afterAll(async () => {
  tree?.remove();
  await Promise.all([sandbox?.close(), noMfaSandbox?.close(), noBillingSandbox?.close()]);
});

const envOf = (box: Sandbox, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PARTNER_CENTER_BASE_URL: box.baseUrl,
  MICROSOFT_GRAPH_BASE_URL: box.graphBaseUrl,
  AZURE_AUTHORITY_HOST: box.authorityHost,
  AZURE_TENANT_ID: box.tenantId,
  AZURE_CLIENT_ID: box.clientId,
  AZURE_CLIENT_SECRET: box.clientSecret,
  NODE_EXTRA_CA_CERTS: box.caFile,
  TEMPORAL_ADDRESS: testServerAddress(),
  TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
  ...extra,
});

/** Runs `pcw doctor` and checks what every run must hold: no credential (nor any JWT) in anything it printed. */
async function doctor(env: NodeJS.ProcessEnv, args: string[] = []) {
  const result = await spawnPcw(tree.bin, ['doctor', ...args], env, tree.dir).exited;
  const printed = result.stdout + result.stderr;
  for (const secret of [sandbox.clientSecret, sandbox.refreshToken, env.AZURE_CLIENT_SECRET ?? '\0'])
    expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  return result;
}

const line = (status: 'ok' | 'FAIL' | 'WARN' | 'skip', name: string) => new RegExp(`^${status}\\s+${name}:`, 'm');
const ALL_CHECKS = ['configuration', 'Temporal reachable', 'Temporal namespace', 'search attributes'];

describe('pcw doctor', () => {
  it('is green on the sandbox, App-only and App+User (MFA claim present), with --json', async () => {
    const [appOnly, appUser, json] = await Promise.all([
      doctor(envOf(sandbox)),
      doctor(envOf(sandbox, { PARTNER_CENTER_REFRESH_TOKEN: sandbox.refreshToken })),
      doctor(envOf(sandbox), ['--json']),
    ]);
    expect(appOnly.code).toBe(0);
    for (const name of [
      ...ALL_CHECKS,
      'Partner Center token',
      'Partner Center reachable',
      'Graph billing',
      'Partner Center webhooks',
    ])
      expect(appOnly.stdout).toMatch(line('ok', name));
    expect(appOnly.stdout).toMatch(
      /Partner Center webhooks: events test-created, .* go to https:\/\/pcw\.example\.test\/v1\/partner-center\/events$/m,
    );
    expect(appOnly.stdout).toMatch(/Graph billing: PartnerBilling\.Read\.All granted/);
    expect(appOnly.stdout).toMatch(/Partner Center token: App-only \(client secret\) token/);
    expect(appOnly.stdout).not.toMatch(/^(FAIL|skip)/m);
    expect(appOnly.stdout).not.toMatch(/MFA claim/);

    expect(appUser.code).toBe(0);
    expect(appUser.stdout).toMatch(/Partner Center token: App\+User token/);
    expect(appUser.stdout).toMatch(line('ok', 'MFA claim'));
    expect(appUser.stdout).toMatch(line('ok', 'Graph billing'));
    expect(appUser.stdout).not.toMatch(/^(FAIL|skip)/m);

    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Array<Record<string, unknown>> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual([
      ...ALL_CHECKS,
      'Partner Center token',
      'Partner Center reachable',
      'Graph billing',
      'Partner Center webhooks',
    ]);
    for (const check of report.checks) {
      expect(check.status).toBe('ok');
      expect(typeof check.detail).toBe('string');
      expect(check.fix).toBeUndefined();
    }
  });

  it('lists every configuration problem and skips what depends on it, exit 1', async () => {
    const result = await doctor(envOf(sandbox, { AZURE_CLIENT_ID: 'not-a-guid', ORDER_POLL_INTERVAL: 'soon' }));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line('FAIL', 'configuration'));
    expect(result.stdout).toMatch(/AZURE_CLIENT_ID: must be the application \(client\) GUID/);
    expect(result.stdout).toMatch(/ORDER_POLL_INTERVAL: must be a duration/);
    expect(result.stdout).toMatch(/fix: correct the settings/);
    expect(result.stdout).toMatch(line('skip', 'Temporal reachable'));
    expect(result.stdout).toMatch(line('skip', 'Partner Center token'));
  });

  it('names an unreachable Temporal and an unknown namespace, while the Partner Center checks still run', async () => {
    const [unreachable, unknown, json] = await Promise.all([
      doctor(envOf(sandbox, { TEMPORAL_ADDRESS: '127.0.0.1:1' })),
      doctor(envOf(sandbox, { TEMPORAL_NAMESPACE: 'no-such-namespace' })),
      doctor(envOf(sandbox, { TEMPORAL_NAMESPACE: 'no-such-namespace' }), ['--json']),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/^FAIL\s+Temporal reachable: not reachable at 127\.0\.0\.1:1/m);
    expect(unreachable.stdout).toMatch(/fix: start Temporal .* TEMPORAL_ADDRESS/);
    expect(unreachable.stdout).toMatch(line('skip', 'Temporal namespace'));
    expect(unreachable.stdout).toMatch(line('ok', 'Partner Center reachable'));

    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(line('ok', 'Temporal reachable'));
    expect(unknown.stdout).toMatch(/^FAIL\s+Temporal namespace: namespace "no-such-namespace"/m);
    expect(unknown.stdout).toMatch(
      /fix: create it \(`temporal operator namespace create --namespace no-such-namespace`\)/,
    );
    expect(unknown.stdout).toMatch(line('skip', 'search attributes'));

    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Array<Record<string, unknown>> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'Temporal namespace')).toMatchObject({
      status: 'failed',
      fix: expect.stringContaining('TEMPORAL_NAMESPACE'),
    });
    expect(report.checks.find((check) => check.name === 'search attributes')).toMatchObject({ status: 'skipped' });
  });

  it('names the search attributes a namespace lacks, with the commands that register them', async () => {
    const namespace = `doctor-bare-${Date.now()}`;
    const connection = await Connection.connect({ address: testServerAddress() });
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    } finally {
      await connection.close();
    }
    const result = await doctor(envOf(sandbox, { TEMPORAL_NAMESPACE: namespace }));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line('ok', 'Temporal namespace'));
    expect(result.stdout).toMatch(/^FAIL\s+search attributes: missing or of the wrong type: PcCustomerId \(Keyword\)/m);
    expect(result.stdout).toContain(
      `temporal operator search-attribute create --namespace ${namespace} --name PcOrderIds --type KeywordList`,
    );
  });

  it('names a refused client secret and an App+User token without the MFA claim, with the re-consent fix', async () => {
    const [wrongSecret, noMfa] = await Promise.all([
      doctor(envOf(sandbox, { AZURE_CLIENT_SECRET: 'wrong-secret-value-for-doctor' })),
      doctor(envOf(noMfaSandbox, { PARTNER_CENTER_REFRESH_TOKEN: noMfaSandbox.refreshToken })),
    ]);
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stdout).toMatch(/^FAIL\s+Partner Center token: no App-only \(client secret\) token/m);
    expect(wrongSecret.stdout).toMatch(/fix: check AZURE_TENANT_ID, AZURE_CLIENT_ID and the app credential/);
    expect(wrongSecret.stdout).toMatch(line('skip', 'Partner Center reachable'));
    expect(wrongSecret.stdout).toMatch(line('skip', 'Graph billing'));
    expect(wrongSecret.stdout).toMatch(line('ok', 'search attributes'));

    expect(noMfa.code).toBe(1);
    expect(noMfa.stdout).toMatch(line('ok', 'Partner Center token'));
    expect(noMfa.stdout).toMatch(/^FAIL\s+MFA claim: the App\+User token lacks the MFA claim/m);
    expect(noMfa.stdout).toMatch(/^FAIL\s+Partner Center reachable: MFA required/m);
    expect(noMfa.stdout.match(/fix: Operator action: re-consent with Microsoft Entra MFA/g)).toHaveLength(2);
    expect(noMfa.stdout).not.toContain(noMfaSandbox.refreshToken);
  });

  it('names a missing PartnerBilling.Read.All on Microsoft Graph, with the permission to add, and starts no export', async () => {
    const result = await doctor(envOf(noBillingSandbox));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line('ok', 'Partner Center reachable'));
    expect(result.stdout).toMatch(
      /^FAIL\s+Graph billing: .* refused a billing read \(HTTP 403\): the app lacks PartnerBilling\.Read\.All$/m,
    );
    expect(result.stdout).toMatch(
      /fix: add the Microsoft Graph permission PartnerBilling\.Read\.All to the app registration .* grant consent/,
    );
    expect(result.stdout.match(/^FAIL/gm)).toHaveLength(1);
    // One read of an operation, no export requested.
    const { requests } = await noBillingSandbox.control.counters();
    const graphCalls = Object.entries(requests).filter(([route]) => route.includes('/reports/partners/billing'));
    expect(graphCalls).toEqual([['GET /v1.0/reports/partners/billing/operations/{operationId}', 1]]);
  });

  it('warns, without failing, when no Partner Center webhook is registered', async () => {
    const [text, json] = await Promise.all([doctor(envOf(noMfaSandbox)), doctor(envOf(noMfaSandbox), ['--json'])]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^WARN\s+Partner Center webhooks: no webhook is registered/m);
    expect(text.stdout).toMatch(/fix: pcw pc-webhooks register --url/);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Array<Record<string, unknown>> };
    expect(report.ok).toBe(true);
    expect(report.checks.find((check) => check.name === 'Partner Center webhooks')).toMatchObject({
      status: 'warning',
    });
  });
});
