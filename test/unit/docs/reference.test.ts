import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  subscriptionFailureTypes,
  purchaseFailureTypes,
  PurchaseRequestSchema,
  billingFailureTypes,
  ReconcileRequestSchema,
  SubscriptionChangeRequestSchema,
} from '../../../src/client';
import { documentedScripts, documentedVariables, REFERENCE_PATH, renderReference } from '../../../tools/docs/reference';
import { searchAttributeKeys } from '../../../src/workflows/common/search-attributes';

const root = join(__dirname, '..', '..', '..');
const page = renderReference();

/** Every .ts file under `dir`, with its text. */
function sources(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ path: join(dir, file), text: readFileSync(join(dir, file), 'utf8') }));
}

describe('docs/reference.md', () => {
  it('is what `npm run docs` writes from the current code', () => {
    const committed = readFileSync(REFERENCE_PATH, 'utf8');
    if (committed !== page) {
      const committedLines = committed.split('\n');
      const renderedLines = page.split('\n');
      const line = renderedLines.findIndex((text, i) => text !== committedLines[i]);
      throw new Error(
        `docs/reference.md is out of date: run \`npm run build && npm run docs\` and commit it.\n` +
          `First difference at line ${line + 1}:\n  committed: ${committedLines[line]}\n  current:   ${renderedLines[line]}`,
      );
    }
  });

  it("shows the request formats exactly as zod 4 generates them from the workflows' schemas", () => {
    for (const schema of [PurchaseRequestSchema, SubscriptionChangeRequestSchema, ReconcileRequestSchema]) {
      const generated = JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2);
      expect(page).toContain(`\`\`\`json\n${generated}\n\`\`\``);
    }
  });

  it('names every failure type and search attribute the code defines', () => {
    for (const type of [
      ...Object.values(purchaseFailureTypes),
      ...Object.values(subscriptionFailureTypes),
      ...Object.values(billingFailureTypes),
    ]) {
      expect(page).toContain(`| \`${type}\` |`);
    }
    for (const key of searchAttributeKeys) expect(page).toContain(`| \`${key.name}\` |`);
  });

  it('documents only npm scripts that package.json defines', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
    );
    expect(documentedScripts.map((s) => s.script).filter((script) => !scripts.includes(script))).toEqual([]);
  });

  describe('environment variables', () => {
    const code = sources(join(root, 'src'));
    const documented = new Set(documentedVariables.flatMap((v) => v.names));

    it('lists only variables something reads', () => {
      const envconfig = sources(join(root, 'node_modules', '@temporalio', 'envconfig', 'src'));
      // Node itself reads NODE_EXTRA_CA_CERTS.
      const unread = [...documented].filter(
        (name) => name !== 'NODE_EXTRA_CA_CERTS' && ![...code, ...envconfig].some((file) => file.text.includes(name)),
      );
      expect(unread).toEqual([]);
    });

    it('lists every variable the code reads', () => {
      const read = new Set<string>();
      for (const file of code) {
        for (const match of file.text.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) read.add(match[1]);
      }
      // The keys of config.ts's environment schema.
      const config = readFileSync(join(root, 'src', 'config.ts'), 'utf8');
      for (const match of config.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)) read.add(match[1]);
      // Passed through to child processes (the bench's workers), not configuration.
      read.delete('PATH');
      read.delete('HOME');
      expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    });
  });
});
