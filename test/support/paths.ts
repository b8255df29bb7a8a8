/** Environment variable through which globalSetup hands the dev server's address to the test workers. */
export const TEMPORAL_TEST_ADDRESS = 'PCW_TEST_TEMPORAL_ADDRESS';
/** Environment variable through which globalSetup hands the workflow bundle it built to the test workers. */
export const WORKFLOW_BUNDLE_PATH = 'PCW_TEST_WORKFLOW_BUNDLE';
