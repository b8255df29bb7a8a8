#!/usr/bin/env node
// The sandbox alone (`npx partner-center-sandbox`, or `npm run sandbox` in the worker's repository).
require('../lib/cli.js').main();
