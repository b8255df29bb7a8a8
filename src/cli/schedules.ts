import { ScheduleNotFoundError, type ScheduleSpecDescription } from '@temporalio/client';
import type { Action } from './action';
import { CliFailure, UsageError } from './errors';
import { table } from './output';

/** `pcw schedules list|delete`: the Temporal Schedules `pcw reconcile --schedule` makes. */

export function planSchedules(args: string[]): Action {
  const [sub, ...rest] = args;
  if (sub === 'list' && rest.length === 0) {
    return async ({ client, out }) => {
      const rows: Array<{ scheduleId: string; cron: string; workflowType: string; nextRun?: string; paused: boolean }> =
        [];
      for await (const summary of client.schedule.list()) {
        const description = await client.schedule.getHandle(summary.scheduleId).describe();
        rows.push({
          scheduleId: summary.scheduleId,
          cron: cronOf(description.spec),
          workflowType:
            description.action.type === 'startWorkflow' ? description.action.workflowType : description.action.type,
          ...(description.info.nextActionTimes[0] !== undefined
            ? { nextRun: description.info.nextActionTimes[0].toISOString() }
            : {}),
          paused: description.state.paused,
        });
      }
      out.emit(
        rows,
        rows.length === 0
          ? 'no schedules'
          : table(
              ['SCHEDULE ID', 'CRON (UTC)', 'WORKFLOW TYPE', 'NEXT RUN', 'PAUSED'],
              rows.map((r) => [r.scheduleId, r.cron, r.workflowType, r.nextRun ?? '', r.paused ? 'yes' : 'no']),
            ),
      );
    };
  }
  if (sub === 'delete' && rest.length === 1) {
    const [scheduleId] = rest;
    return async ({ client, out }) => {
      try {
        await client.schedule.getHandle(scheduleId).delete();
      } catch (error) {
        if (error instanceof ScheduleNotFoundError)
          throw new CliFailure('NotFound', `no schedule with id ${scheduleId} (\`pcw schedules list\` shows them)`);
        throw error;
      }
      out.emit({ scheduleId, deleted: true }, `deleted schedule ${scheduleId}`);
    };
  }
  throw new UsageError([
    `schedules takes \`list\` or \`delete SCHEDULE_ID\`${sub !== undefined ? ` (got "${args.join(' ')}")` : ''}`,
  ]);
}

/** Temporal keeps a cron string as calendars (fields of ranges): written back as cron, full ranges as `*`. */
function cronOf(spec: ScheduleSpecDescription): string {
  const fields = [
    ['minute', 0, 59],
    ['hour', 0, 23],
    ['dayOfMonth', 1, 31],
    ['month', 'JANUARY', 'DECEMBER'],
    ['dayOfWeek', 'SUNDAY', 'SATURDAY'],
  ] as const;
  const short = (value: string | number) => (typeof value === 'string' ? value.slice(0, 3) : String(value));
  return (spec.calendars ?? [])
    .map((calendar) =>
      fields
        .map(([name, first, last]) => {
          const ranges =
            (
              calendar as unknown as Record<
                string,
                Array<{ start: string | number; end?: string | number; step?: number }> | undefined
              >
            )[name] ?? [];
          if (
            ranges.length === 0 ||
            (ranges.length === 1 && ranges[0].start === first && ranges[0].end === last && (ranges[0].step ?? 1) === 1)
          )
            return '*';
          return ranges
            .map(
              ({ start, end, step }) =>
                `${short(start)}${end !== undefined && end !== start ? `-${short(end)}` : ''}${step !== undefined && step > 1 ? `/${step}` : ''}`,
            )
            .join(',');
        })
        .join(' '),
    )
    .join('; ');
}
