#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to lib/ (npm install builds it through `prepare`).
require('../lib/cli/pcw.js');
