import type { Transition } from '../../partner-center';

/** Where a transition stands: done, failed (in which steps), or not done yet. */
export type TransitionProgress =
  { state: 'completed' } | { state: 'failed'; failedSteps: string[] } | { state: 'running' };

type TransitionEvent = Transition['events'][number];

/**
 * Where a transition stands, from its own `status` when it has one, else from its events. The events may be each
 * step's state (one event per step, its status changing in place) or a log (`Started`, later `Completed` for the
 * same step): either way each step stands where its latest event says (latest by timestamp, else by place in the
 * list). Done when every step is `Completed`; failed when one is `Failed`; any other status, known or not, is not
 * done yet.
 */
export function transitionProgress(transition: Pick<Transition, 'status' | 'events'>): TransitionProgress {
  const steps = latestPerStep(transition.events);
  const failedSteps = steps.filter((e) => e.status === 'Failed').map((e) => e.name ?? 'transition');
  const status = transition.status;
  if (status !== undefined) {
    if (status === 'Completed') return { state: 'completed' };
    return status === 'Failed'
      ? { state: 'failed', failedSteps: failedSteps.length > 0 ? failedSteps : ['transition'] }
      : { state: 'running' };
  }
  if (failedSteps.length > 0) return { state: 'failed', failedSteps };
  return steps.length > 0 && steps.every((e) => e.status === 'Completed')
    ? { state: 'completed' }
    : { state: 'running' };
}

/** Each step's latest event, the steps in the order they first appear (an unnamed event is a step of its own name ''). */
function latestPerStep(events: readonly TransitionEvent[]): TransitionEvent[] {
  const latest = new Map<string, TransitionEvent>();
  for (const event of events) {
    const step = event.name ?? '';
    const before = latest.get(step);
    if (before === undefined || !happenedBefore(event, before)) latest.set(step, event);
  }
  return [...latest.values()];
}

/** Whether `a` carries an earlier timestamp than `b`; without two readable, different timestamps, the list's order decides. */
function happenedBefore(a: TransitionEvent, b: TransitionEvent): boolean {
  const at = Date.parse(a.timestamp ?? '');
  const bt = Date.parse(b.timestamp ?? '');
  return !Number.isNaN(at) && !Number.isNaN(bt) && at < bt;
}
