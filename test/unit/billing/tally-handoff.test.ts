/**
 * The tallies an export-read segment hands to the next one on the same worker: taken once (the taker folds lines
 * into it), only under the checkpoint they were given with, and kept for a bounded time and number.
 */
import { createTally } from '../../../src/activities/billing/seat-model';
import { TallyHandoff } from '../../../src/activities/billing/tally-handoff';

const tallyOf = (lines: number) => ({ ...createTally(), lines });

describe('TallyHandoff', () => {
  it('gives a tally back once, and only for the checkpoint it was given with', () => {
    const handoff = new TallyHandoff();
    const tally = tallyOf(500_000);
    handoff.give('H4sI-checkpoint-a', tally);
    expect(handoff.take('H4sI-checkpoint-b')).toBeUndefined();
    expect(handoff.take('H4sI-checkpoint-a')).toBe(tally);
    // A retry of the segment that took it must decompress: this tally has moved on.
    expect(handoff.take('H4sI-checkpoint-a')).toBeUndefined();
  });

  it('keeps the latest tally given for a checkpoint, and at most `capacity`, dropping the oldest', () => {
    const handoff = new TallyHandoff(60_000, 2);
    const [first, second, third, again] = [tallyOf(1), tallyOf(2), tallyOf(3), tallyOf(4)];
    handoff.give('a', first);
    handoff.give('b', second);
    handoff.give('b', again);
    handoff.give('c', third);
    expect(handoff.take('a')).toBeUndefined();
    expect(handoff.take('b')).toBe(again);
    expect(handoff.take('c')).toBe(third);
  });

  it('drops a tally nobody took within `keepMs`', async () => {
    const handoff = new TallyHandoff(50);
    handoff.give('stopped', tallyOf(1));
    handoff.give('taken soon', tallyOf(2));
    expect(handoff.take('taken soon')?.lines).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(handoff.take('stopped')).toBeUndefined();
  });
});
