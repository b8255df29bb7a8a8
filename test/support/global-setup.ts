import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { TEMPORAL_TEST_ADDRESS, WORKFLOW_BUNDLE_PATH } from './paths';
import { bundleTestWorkflows } from './temporal';

declare global {
  var __pcwDevServer: DevServer | undefined;
  var __pcwBundleDir: string | undefined;
}

/**
 * A Worker Deployment Version that is neither current nor ramping reports DRAINED once visibility shows no open run
 * pinned to it; the server checks every 3 minutes after a 3-minute grace period. The versioning test waits for it.
 */
const TEST_DYNAMIC_CONFIG = [
  'matching.wv.VersionDrainageStatusRefreshInterval="1s"',
  'matching.wv.VersionDrainageStatusVisibilityGracePeriod="2s"',
];

/**
 * ONE real Temporal dev server for the whole Jest run (headless, in-memory SQLite, the contract's search
 * attributes registered), and ONE workflow bundle that every test file's workers load (built beside the server's
 * start). Test files connect with `testEnv()`; each test uses its own task queue. `PCW_NO_TEMPORAL=1` skips both
 * for runs that only touch the sandbox or pure code.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.PCW_NO_TEMPORAL === '1') return;
  const [server, code] = await Promise.all([
    startDevServer({
      progress: (line) => process.stderr.write(`[temporal] ${line}\n`),
      dynamicConfig: TEST_DYNAMIC_CONFIG,
    }),
    bundleTestWorkflows(),
  ]);
  globalThis.__pcwDevServer = server;
  globalThis.__pcwBundleDir = mkdtempSync(join(tmpdir(), 'pcw-test-bundle-'));
  const bundlePath = join(globalThis.__pcwBundleDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  // Jest starts its test workers after globalSetup, with this process's environment.
  process.env[TEMPORAL_TEST_ADDRESS] = server.address;
  process.env[WORKFLOW_BUNDLE_PATH] = bundlePath;
}
