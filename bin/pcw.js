#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to lib/ (npm install builds it through `prepare`).
const { runAsMain } = require('../lib/command-line.js');
const { run } = require('../lib/cli/pcw.js');

runAsMain(() => run(process.argv.slice(2)));
