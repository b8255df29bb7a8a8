import { startDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { TEMPORAL_TEST_ADDRESS } from './paths';

declare global {
  var __pcwDevServer: DevServer | undefined;
}

/**
 * ONE real Temporal dev server for the whole Jest run (headless, in-memory SQLite, the contract's search
 * attributes registered). Test files connect with `testEnv()`; each test uses its own task queue.
 * `PCW_NO_TEMPORAL=1` skips it for runs that only touch the sandbox or pure code.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.PCW_NO_TEMPORAL === '1') return;
  const server = await startDevServer({ progress: (line) => process.stderr.write(`[temporal] ${line}\n`) });
  globalThis.__pcwDevServer = server;
  // Jest starts its test workers after globalSetup, with this process's environment.
  process.env[TEMPORAL_TEST_ADDRESS] = server.address;
}
