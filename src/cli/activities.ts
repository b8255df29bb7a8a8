import { hostname, userInfo } from 'node:os';
import {
  activityTypeProblem,
  listActivityPauses,
  pauseActivityType,
  resumeActivityType,
  type PausableActivityType,
} from '../client/activity-pause';
import type { Action } from './action';
import { UsageError } from './errors';
import { Problems, type Values } from './flags';
import { table } from './output';

/** `pcw activities pause|resume|paused`: the incident switch for one activity type in every run (docs/operations.md). */

export function planActivities(args: string[], values: Values): Action {
  const [sub, ...rest] = args;
  const problems = new Problems();
  if (rest.length > 0) problems.add(`activities ${sub} takes no arguments besides its flags (got "${rest.join(' ')}")`);
  switch (sub) {
    case 'pause': {
      const type = checkedType(values, problems);
      const reason = values.reason?.trim() ?? '';
      if (reason === '') problems.add('--reason is required: say why, for whoever resumes it', 'reason');
      else if (reason.length > 500) problems.add(`--reason must be at most 500 characters (got ${reason.length})`);
      problems.done();
      return planPause(type, reason);
    }
    case 'resume': {
      if (values.reason !== undefined) problems.add('--reason does not apply to `pcw activities resume`', 'reason');
      const type = checkedType(values, problems);
      problems.done();
      return planResume(type);
    }
    case 'paused':
      for (const flag of ['type', 'reason'] as const)
        if (values[flag] !== undefined) problems.add(`--${flag} does not apply to \`pcw activities paused\``, flag);
      problems.done();
      return planList();
    default:
      throw new UsageError([
        `activities takes \`pause\`, \`resume\` or \`paused\`${sub !== undefined ? ` (got "${args.join(' ')}")` : ''}`,
      ]);
  }
}

/** --type: required, and an activity type the worker registers as an activity task (refused before any call). */
function checkedType(values: Values, problems: Problems): PausableActivityType {
  const type = values.type?.trim() ?? '';
  const problem =
    type === '' ? '--type is required (an activity type, e.g. checkoutPurchaseCart)' : activityTypeProblem(type);
  if (problem !== undefined) problems.add(problem, 'type');
  return type as PausableActivityType;
}

/** Who paused or resumed: the operator's login on this machine, as the Temporal UI shows it beside the pause. */
function operator(): string {
  return `pcw ${userInfo().username}@${hostname()}`;
}

function planPause(type: PausableActivityType, reason: string): Action {
  return async ({ client, out }) => {
    const { pause, alreadyPaused } = await pauseActivityType(client, type, reason, operator());
    out.emit(
      { ...pause, alreadyPaused },
      alreadyPaused
        ? `${type} was already paused since ${pause.since} by ${pause.by} (${pause.reason}); ${pause.heldRuns} run(s) held`
        : `${type} paused in every run: no new attempt starts until \`pcw activities resume --type ${type}\`; ` +
            `${pause.heldRuns} run(s) held so far`,
    );
  };
}

function planResume(type: PausableActivityType): Action {
  return async ({ client, out }) => {
    const resumed = await resumeActivityType(client, type, { by: operator() });
    out.emit(
      resumed,
      `${resumed.wasPaused ? `${type} resumed` : `${type} was not paused`}: ${resumed.resumedRuns} held run(s) continue`,
    );
  };
}

function planList(): Action {
  return async ({ client, out }) => {
    const pauses = await listActivityPauses(client);
    out.emit(
      pauses,
      pauses.length === 0
        ? 'no activity type is paused'
        : table(
            ['ACTIVITY TYPE', 'HELD RUNS', 'SINCE', 'BY', 'REASON'],
            pauses.map((p) => [p.activityType, String(p.heldRuns), p.since, p.by, p.reason]),
          ),
    );
  };
}
