import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment variable through which globalSetup hands the dev server's address to the test workers. */
export const TEMPORAL_TEST_ADDRESS = 'PCW_TEST_TEMPORAL_ADDRESS';

export const devServerStateFile = join(tmpdir(), 'partner-center-worker-tests', `dev-server-${process.pid}.json`);
