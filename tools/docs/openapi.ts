import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { buildApi } from '../../src/api/server';
import { runAsMain } from '../../src/command-line';
import { REPOSITORY_ROOT as ROOT } from '../repository-root';

/** The HTTP API's OpenAPI document as `GET /openapi.json` serves it, for readers and client generators. */
export const OPENAPI_PATH = join(ROOT, 'docs', 'openapi.json');
/** TypeScript types openapi-typescript generates from it; the generated-client test drives the API with them. */
export const CLIENT_TYPES_PATH = join(ROOT, 'test', 'fixtures', 'openapi', 'api.d.ts');

/** The document, built from the routes' schemas (no Temporal is reached: nothing is served). */
export async function renderOpenApi(): Promise<string> {
  const app = await buildApi({ client: {} as Client, taskQueue: 'unused', tokens: [] });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** openapi-typescript's output for `document` (its CLI: the package is ES modules only). */
export function generateClientTypes(document: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pcw-openapi-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), document);
    const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const out = join(dir, 'api.d.ts');
    const run = spawnSync(process.execPath, [cli, join(dir, 'openapi.json'), '--output', out], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openapi-typescript failed: ${run.stderr || run.stdout}`);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run docs` (after reference.md): writes docs/openapi.json and the client types generated from it. */
async function main(): Promise<number> {
  const document = await renderOpenApi();
  writeFileSync(OPENAPI_PATH, document);
  writeFileSync(CLIENT_TYPES_PATH, generateClientTypes(document));
  process.stdout.write(`wrote ${OPENAPI_PATH} and ${CLIENT_TYPES_PATH}\n`);
  return 0;
}

if (require.main === module) runAsMain(main);
