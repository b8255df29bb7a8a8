// Lints an OpenAPI document with Redocly's recommended rules and prints the problems as one JSON array.
// An ES module: @redocly/openapi-core ships only those, so the (CommonJS) tests run it as a child process.
import { createConfig, lint } from '@redocly/openapi-core';

const config = await createConfig({ extends: ['recommended'] });
const problems = await lint({ ref: process.argv[2], config });
process.stdout.write(
  JSON.stringify(
    problems.map((p) => ({ severity: p.severity, rule: p.ruleId, message: p.message, at: p.location?.[0]?.pointer })),
  ),
);
