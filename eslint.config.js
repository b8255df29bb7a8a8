// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O clients, and
// activities only as types (their code must never be bundled into a workflow).
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

module.exports = tseslint.config(
  { ignores: ['lib/**', 'node_modules/**', 'coverage/**', 'eslint.config.js', 'jest.config.js', 'bin/**'] },
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
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins.' })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/partner-center', '**/partner-center/**', '**/sandbox/**'],
              message: 'Workflows import activities as types only (import type ...).',
              allowTypeImports: true,
            },
            { group: ['@azure/*', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Not allowed in workflow code.' },
          ],
        },
      ],
    },
  },
);
