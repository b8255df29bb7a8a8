import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_HEAP_FLAGS } from '../../src/worker-memory';

const root = join(__dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** The largest heap of a plain Node process that keeps ~60 MiB live while it churns garbage, with `setup` run first. */
function peakHeapMiB(setup: string): number {
  const churn = `
    ${setup}
    const keep = []; let peak = 0;
    for (let i = 0; i < 8000; i++) {
      keep.push(new Array(2000).fill(i).map(String));
      if (keep.length > 1500) keep.shift();
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(peak / 1048576));`;
  return Number(execFileSync(process.execPath, ['-e', churn], { encoding: 'utf8' }));
}

describe('the worker process heap settings', () => {
  it('are on the command line `npm run worker` runs', () => {
    expect(scripts.worker).toBe(`node ${WORKER_HEAP_FLAGS.join(' ')} lib/worker.js`);
  });

  it('bound a heap that churns garbage when set at start, as `node lib/worker.js` does without them', () => {
    const apply = `require(${JSON.stringify(join(root, 'lib', 'worker-memory.js'))}).applyWorkerHeapFlags([]);`;
    const bounded = peakHeapMiB(apply);
    const unbounded = peakHeapMiB('');
    // Measured: ~90 MiB against ~125 MiB.
    expect(bounded).toBeLessThan(unbounded * 0.85);
  });
});
