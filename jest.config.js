/** Two projects: `unit` needs nothing but Node; `integration` talks to the one Temporal dev server
 * that globalSetup starts for the whole run (and to sandboxes the tests start themselves). */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/packages/[^/]+/lib/'],
  // Tests run the sandbox from its TypeScript source, as the type-checker sees it.
  moduleNameMapper: { '^partner-center-sandbox$': '<rootDir>/packages/partner-center-sandbox/src' },
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm test` type-checks the whole tree once with tsc.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};

module.exports = {
  testTimeout: 60_000,
  // A test added in the last stop leaves a loopback listener open (two sockets: likely one sandbox), so Jest waited
  // forever after a green run; exit once every test and globalTeardown are done, until that listener is found.
  forceExit: true,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/packages/*/test/unit/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/packages/*/test/integration/**/*.test.ts'],
    },
  ],
};
