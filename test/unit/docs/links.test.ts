import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pages = [
  'README.md',
  'examples/README.md',
  'packages/partner-center-sandbox/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('links of the documentation', () => {
  it.each(pages)('%s links only to files in the repository', (page) => {
    const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
      const file = join(root, dirname(page), target.replace(/#.*$/, ''));
      if (relative(root, file).startsWith('..') || !existsSync(file)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });
});
