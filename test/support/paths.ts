/** Environment variable through which globalSetup hands the dev server's address to the test workers. */
export const TEMPORAL_TEST_ADDRESS = 'PCW_TEST_TEMPORAL_ADDRESS';
