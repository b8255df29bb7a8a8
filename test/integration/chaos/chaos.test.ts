import { runChaos } from '../../../tools/chaos/chaos';
import { builtEntry } from '../../support/processes';

/**
 * The small `npm run chaos`: the same code, 20 purchases over 3 worker processes under the fault mix, 2 SIGKILLs
 * and 1 Temporal restart. It starts a dev server of its own (it restarts it), never the run's shared one.
 */
beforeAll(() => {
  // The workers run lib/worker.js: a clear message if it was not built.
  builtEntry('worker.js');
});

test(
  '20 purchases through faults, 2 worker SIGKILLs and a Temporal restart: all invariants hold',
  async () => {
    const report = await runChaos({
      purchases: 20,
      kills: 2,
      restarts: 1,
      workers: 3,
      inFlight: 20,
      eventGapMs: [2_000, 5_000],
      deadlineMs: 8 * 60_000,
      progress: (line) => process.stderr.write(`[chaos] ${line}\n`),
    });
    // Named, so a failure says which invariant broke and why.
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(report.invariants.map((i) => i.name)).toHaveLength(9);
    // The 20, the same-id purchase and the 15-minute wait.
    expect(report.purchases).toMatchObject({ total: 22, completed: 22 });
    expect(report.kills).toHaveLength(2);
    expect(report.restarts).toHaveLength(1);
    expect(report.orders).toMatchObject({ total: 22, maxPerCart: 1, duplicated: [], unattributed: 0 });
    expect(report.secrets.historiesScanned).toBeGreaterThanOrEqual(22);
    expect(report.secrets.leaks).toEqual([]);
  },
  15 * 60_000,
);
