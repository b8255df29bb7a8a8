const Sequencer = require('@jest/test-sequencer').default;

/**
 * The suites that take a minute or more (measured on the 2-core machine: docs/benchmarks.md, Test suite), longest
 * first. Jest orders a fresh clone's files by size, so these used to start last and run alone at the end; started
 * first, they run beside the short ones.
 */
const SLOWEST_FIRST = [
  'test/integration/billing/graph-recovery.test.ts',
  'test/integration/chaos/chaos.test.ts',
  'test/integration/start/npm-start.test.ts',
  'test/integration/purchase/prerequisites.test.ts',
  'test/integration/worker/recovery.test.ts',
  'test/integration/billing/reconcile-v1.test.ts',
  'test/integration/cli/workflows.test.ts',
  'test/integration/subscription/change.test.ts',
  'test/integration/billing/graph-segments.test.ts',
  'test/integration/worker/budget.test.ts',
  'test/integration/worker/worker-process.test.ts',
  'test/integration/webhooks/webhooks.test.ts',
];

class SlowestFirstSequencer extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const index = SLOWEST_FIRST.findIndex((path) => test.path.endsWith(path));
      return index === -1 ? SLOWEST_FIRST.length : index;
    };
    return [...(await super.sort(tests))].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirstSequencer;
