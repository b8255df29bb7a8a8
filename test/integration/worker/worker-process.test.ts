import { freePort } from '../../../src/temporal/dev-server';
import { builtEntry, runNode } from '../../support/processes';

const TENANT = '0b6b5a0e-0d0a-4f3e-9a53-2f6c4b1d9e01';
const CLIENT = '6c3f2d1e-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
const NO_CONFIG_FILE = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

describe('npm run worker (lib/worker.js)', () => {
  it('stops at start with one message that lists every configuration problem, and no secret', async () => {
    const worker = runNode(builtEntry('worker.js'), [], {
      ...NO_CONFIG_FILE,
      TEMPORAL_TASK_QUEUE: '',
      PARTNER_CENTER_BASE_URL: 'ftp://x',
      AZURE_CLIENT_ID: CLIENT,
      PARTNER_CENTER_REFRESH_TOKEN: 'refresh-token-that-must-not-leak',
    });
    const { code } = await worker.exited;
    const output = worker.output();
    expect(code).toBe(2);
    expect(output).toMatch(/Invalid configuration \(4 problems\)/);
    expect(output).toMatch(/TEMPORAL_TASK_QUEUE: must not be empty/);
    expect(output).toMatch(/PARTNER_CENTER_BASE_URL: must be an https URL/);
    expect(output).toMatch(/AZURE_TENANT_ID: required/);
    expect(output).toMatch(/AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: one app credential is required/);
    expect(output).not.toContain('refresh-token-that-must-not-leak');
  });

  it('exits non-zero with a clear message when Temporal is unreachable', async () => {
    const port = await freePort();
    const worker = runNode(builtEntry('worker.js'), [], {
      ...NO_CONFIG_FILE,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 'client-secret-that-must-not-leak',
    });
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.output()).toMatch(new RegExp(`Temporal is unreachable at 127\\.0\\.0\\.1:${port}`));
    expect(worker.output()).not.toContain('client-secret-that-must-not-leak');
  });
});
