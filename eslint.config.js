// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O clients, and
// activities only as types (their code must never be bundled into a workflow).
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Tools (tools/: bench, chaos, the docs generator) import the product; the product (src/) never imports them. Every
// block for src/ lists this pattern, since a later block's options replace an earlier one's for the same files.
const productNeverImportsTools = {
  regex: '^(\\.\\./)+tools(/|$)',
  message: 'The product (src/) never imports tools/ (bench, chaos, the docs generator).',
};

// The Partner Center sandbox is the workspace package partner-center-sandbox. A pattern without a slash matches the
// package name, its subpaths and a relative path through packages/partner-center-sandbox alike.
const SANDBOX_PACKAGE = 'partner-center-sandbox';

// Callers of the workflows see each context through its api.ts only (and the contract's search attributes and task
// priorities).
const callersSeeWorkflowsThroughApi = [
  {
    group: [
      '**/workflows/*/*',
      '!**/workflows/*/api',
      '!**/workflows/common/search-attributes',
      '!**/workflows/common/priority',
    ],
    message: "Import a workflow context through its api.ts (e.g. '../workflows/purchase/api').",
  },
  { group: ['**/activities/**'], message: 'Callers start workflows; they never run activities.' },
];

module.exports = tseslint.config(
  {
    ignores: [
      'lib/**',
      'lib-tools/**',
      'packages/*/lib/**',
      'node_modules/**',
      'coverage/**',
      'eslint.config.js',
      'jest.config.js',
      // CommonJS that Jest loads untransformed, like its config.
      'test/support/sequencer.js',
      'bin/**',
      'packages/*/bin/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [productNeverImportsTools] }] },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins.' })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/partner-center', '**/partner-center/**'],
              message: 'Workflows import activities as types only (import type ...).',
              allowTypeImports: true,
            },
            {
              group: ['**/client', '**/client/**', '**/cli/**', '**/config', '**/worker', SANDBOX_PACKAGE],
              message: 'Workflows depend on nothing outside src/workflows.',
            },
            {
              group: ['@azure/*', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'],
              message: 'Not allowed in workflow code.',
            },
            productNeverImportsTools,
          ],
        },
      ],
    },
  },
  {
    files: ['src/client/**/*.ts', 'src/cli/**/*.ts', 'src/api/**/*.ts', 'src/start.ts', 'src/demo.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [...callersSeeWorkflowsThroughApi, productNeverImportsTools] },
      ],
    },
  },
  {
    // The configuration is read by every entry point and by the client library: it knows the grammar of each
    // setting (src/settings), never an adapter that uses one.
    files: ['src/config.ts', 'src/settings/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/api',
                '**/api/**',
                '**/cli',
                '**/cli/**',
                '**/temporal/**',
                '**/partner-center',
                '**/partner-center/**',
              ],
              message: 'The configuration imports no adapter: put the grammar of a setting in src/settings.',
            },
            productNeverImportsTools,
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: callersSeeWorkflowsThroughApi }] },
  },
  {
    files: ['src/activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)workflows(/index|/[^/]+/workflow)?$',
              message: 'Activities never import workflow code (only shared types, rules and failure tables).',
            },
            {
              group: ['**/client', '**/client/**', '**/cli/**', SANDBOX_PACKAGE],
              message: 'Activities reach Partner Center through src/partner-center only.',
            },
            productNeverImportsTools,
          ],
        },
      ],
    },
  },
  {
    files: ['src/partner-center/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/**', '**/activities/**', '**/client/**', '**/cli/**', SANDBOX_PACKAGE],
              message: 'The Partner Center client knows nothing of Temporal or of the sandbox.',
            },
            productNeverImportsTools,
          ],
        },
      ],
    },
  },
  {
    // The sandbox is a package of its own, usable alone: it depends on nothing of the worker.
    files: ['packages/partner-center-sandbox/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./){3,}', message: 'The sandbox package imports nothing outside its own folder.' },
          ],
        },
      ],
    },
  },
);
