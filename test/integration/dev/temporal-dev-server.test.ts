import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort, startDevServer } from '../../../src/dev/temporal-dev-server';
import { resolveTemporalCli } from '../../../src/dev/temporal-cli';
import { searchAttributeKeys } from '../../../src/workflows/common/search-attributes';
import { testEnv } from '../../support/temporal';

const { IndexedValueType } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe("the run's Temporal dev server", () => {
  it('is the real server with the contract search attributes registered', async () => {
    const info = await env.connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^1\.\d+\.\d+/);
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const expected: Record<string, number> = {
      PcCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      PcStep: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      PcOrderIds: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      PcSubscriptionIds: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      PcRenewalDate: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      PcUnusedSeats: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      // The onboarding's GDAP relationship, by which Partner Center's approval event finds the run waiting on it.
      PcGdapRelationshipId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    };
    expect(searchAttributeKeys.map((key) => key.name).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, type] of Object.entries(expected)) expect(customAttributes?.[name]).toBe(type);
  });
});

describe('startDevServer', () => {
  let dir: string;
  let realCli: string;
  beforeAll(async () => {
    realCli = (await resolveTemporalCli({ progress: () => {} })).path;
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pcw-dev-server-'));
  });
  afterEach(() => {
    delete process.env.TEMPORAL_CLI_PATH;
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A `temporal` in TEMPORAL_CLI_PATH whose first `failing` runs do what a dev server that lost its port race looks
   * like from outside: something that is not Temporal answers on the port, then the child exits. Later runs are the
   * real server. Each run appends a line to `runs`.
   */
  function portThief(failing: number): string {
    const path = join(dir, 'temporal');
    writeFileSync(
      path,
      `#!/usr/bin/env node
const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(join(dir, 'runs'))}, 'run\\n');
const runs = fs.readFileSync(${JSON.stringify(join(dir, 'runs'))}, 'utf8').trim().split('\\n').length;
if (runs > ${failing}) {
  const child = require('node:child_process').spawn(${JSON.stringify(realCli)}, process.argv.slice(2), { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
} else {
  const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
  require('node:net').createServer((socket) => socket.end()).listen(port, '127.0.0.1');
  setTimeout(() => { console.error('bind: address already in use'); process.exit(1); }, 1500);
}
`,
    );
    chmodSync(path, 0o755);
    process.env.TEMPORAL_CLI_PATH = path;
    return join(dir, 'runs');
  }

  it('counts a server ready only when its own child answers, and starts it again on another port when it exits', async () => {
    const runs = portThief(1);
    const lines: string[] = [];
    const server = await startDevServer({ progress: (line) => lines.push(line) });
    try {
      expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(2);
      expect(lines.join('\n')).toMatch(/exited \(code 1\) on 127\.0\.0\.1:\d+; starting it again on another port/);
      const connection = await Connection.connect({ address: server.address });
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^1\.\d+\.\d+/);
      await connection.close();
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("gives up after three children that never answered, with the last one's output", async () => {
    const runs = portThief(10);
    await expect(startDevServer({ progress: () => {} })).rejects.toThrow(
      /Temporal dev server exited \(code 1\) on 127\.0\.0\.1:\d+\.\nbind: address already in use/,
    );
    expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(3);
  }, 60_000);

  it('never retries on a port the caller fixed', async () => {
    const runs = portThief(10);
    await expect(startDevServer({ port: await freePort(), progress: () => {} })).rejects.toThrow(/exited \(code 1\)/);
    expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
