#!/usr/bin/env node
// `npm run worker` and `npm run api` run what `npm run build` made (npm install builds through `prepare`): a production
// start never compiles. Without a build they stop here with what to run, instead of a bare "Cannot find module".
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const lib = join(__dirname, '..', 'lib');
const needed = [process.argv[2] ?? 'worker.js', 'workflow-bundle.js'];
const missing = needed.filter((file) => !existsSync(join(lib, file)));
if (missing.length > 0) {
  console.error(
    `partner-center-worker is not built (missing ${missing.map((f) => `lib/${f}`).join(', ')}): ` +
      'run `npm run build` (npm install runs it), then start again.',
  );
  process.exit(1);
}
