/** Two projects: `unit` needs nothing but Node; `integration` talks to the one Temporal dev server
 * that globalSetup starts for the whole run (and to sandboxes the tests start themselves). */
const common = {
  preset: 'ts-jest',
  // Node's environment, failing a test file that leaves a server listening (such a leak kept Jest from exiting).
  testEnvironment: '<rootDir>/test/support/environment.ts',
  modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/packages/[^/]+/lib/'],
  // Tests run the sandbox from its TypeScript source, as the type-checker sees it.
  moduleNameMapper: { '^partner-center-sandbox$': '<rootDir>/packages/partner-center-sandbox/src' },
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm test` type-checks the whole tree once with tsc.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};

module.exports = {
  testTimeout: 60_000,
  // Most of a run is waiting (timers, polls, processes starting): two files at a time on the 2-core machine.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/sequencer.js',
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
