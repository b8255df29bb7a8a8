import { ScheduleNotFoundError, type Client, type ScheduleSpecDescription } from '@temporalio/client';
import {
  approvePurchase,
  cancelPurchase,
  changeWorkflowId,
  PurchaseAlreadyFinishedError,
  purchaseWorkflowId,
  rejectPurchase,
  scheduleReconcile,
  startChange,
  startPurchase,
  startReconcile,
  type PurchaseResult,
  type ReconcileReport,
  type SubscriptionChangeResult,
} from '../client';
import { changeSteps } from '../workflows/subscription/api';
import { purchaseSteps } from '../workflows/purchase/api';
import { CliFailure, UsageError } from './errors';
import {
  changeRequestFromFlags,
  checkFlagsOf,
  Problems,
  purchaseRequestFromFlags,
  requiredFlags,
  type Values,
} from './flags';
import { reconcileRequestFromFlags } from './reconcile-flags';
import { table, type Output } from './output';
import {
  describeChangeResult,
  describeReport,
  describeRun,
  errorOf,
  findRun,
  followRun,
  KINDS,
  runOf,
  stepLine,
  viewRun,
  type Kind,
  type Run,
  type RunView,
} from './runs';

/** What a command needs once its command line is known to be good. */
export interface Context {
  client: Client;
  taskQueue: string;
  out: Output;
}

/** A checked command line, ready to run: usage errors are thrown while planning, before Temporal is contacted. */
export type Action = (ctx: Context) => Promise<void>;

/** Plans `pcw <command> …`: validates every flag (throwing one UsageError listing all problems) and returns what to run. */
export function plan(command: string | undefined, args: string[], values: Values): Action {
  checkFlagsOf(command, values);
  const id = (): string => {
    if (args.length !== 1)
      throw new UsageError([
        `${command} needs one REQUEST_ID or workflow id${args.length > 1 ? ` (got ${args.length})` : ''}`,
      ]);
    return args[0];
  };
  switch (command) {
    case 'purchase': {
      const request = purchaseRequestFromFlags(values);
      return async ({ client, taskQueue, out }) => {
        const handle = await startPurchase(client, request, { taskQueue });
        await startedOrAttached(
          client,
          out,
          runOf('purchase', purchaseWorkflowId(request.requestId), client),
          handle.newlyStarted,
          values.wait === true,
        );
      };
    }
    case 'change': {
      const request = changeRequestFromFlags(values);
      return async ({ client, taskQueue, out }) => {
        const handle = await startChange(client, request, { taskQueue });
        await startedOrAttached(
          client,
          out,
          runOf('change', changeWorkflowId(request.requestId), client),
          handle.newlyStarted,
          values.wait === true,
        );
      };
    }
    case 'reconcile': {
      const { request, requestId } = reconcileRequestFromFlags(values);
      const cron = values.schedule;
      if (cron !== undefined) {
        return async ({ client, taskQueue, out }) => {
          const schedule = await scheduleReconcile(client, {
            cron,
            request,
            taskQueue,
            ...(values['schedule-id'] !== undefined ? { scheduleId: values['schedule-id'] } : {}),
          });
          out.emit(
            { scheduleId: schedule.scheduleId, cron },
            `schedule ${schedule.scheduleId} runs reconcileBilling on '${cron}' (UTC)`,
          );
        };
      }
      return async ({ client, taskQueue, out }) => {
        const handle = await startReconcile(client, request, { taskQueue, requestId });
        const run = runOf('reconcile', handle.workflowId, client);
        await startedOrAttached(client, out, run, handle.newlyStarted, values.wait === true);
      };
    }
    case 'status': {
      const target = id();
      return async ({ client, out }) => {
        const view = await viewRun(client, await findRun(client, target));
        out.emit(view, describeRun(view));
      };
    }
    case 'watch': {
      const target = id();
      return async ({ client, out }) => {
        const run = await findRun(client, target);
        const view = await follow(client, out, run, (step) => out.emit(step, ''));
        if (!out.json) out.emit(view, describeRun(view));
        endOf(view);
      };
    }
    case 'approve':
    case 'reject': {
      const target = id();
      const flags = requiredFlags(values, ...(command === 'approve' ? (['by'] as const) : (['by', 'reason'] as const)));
      return async ({ client, out }) => {
        const run = await findRun(client, target, 'purchase');
        await updatePurchase(run, (requestId) =>
          command === 'approve'
            ? approvePurchase(client, requestId, { by: flags.by })
            : rejectPurchase(client, requestId, { by: flags.by, reason: flags.reason }),
        );
        // The step after the update: an approved purchase has moved on by the time the update returns.
        const view = await viewRun(client, run);
        out.emit(
          view,
          `${run.label} ${command === 'approve' ? 'approved' : 'rejected'} by ${flags.by}; now ${view.step}`,
        );
      };
    }
    case 'cancel': {
      const target = id();
      const { reason } = requiredFlags(values, 'reason');
      return async ({ client, out }) => {
        const run = await findRun(client, target, 'purchase');
        const ack = await updatePurchase(run, (requestId) => cancelPurchase(client, requestId, { reason }));
        out.emit(
          ack,
          ack.afterCheckout
            ? `${run.label}: cancel accepted in step ${ack.step}; the subscriptions it bought are being cancelled`
            : `${run.label}: cancel accepted in step ${ack.step}; nothing is bought`,
        );
      };
    }
    case 'list':
      return listAction(values);
    case 'schedules':
      return schedulesAction(args);
    default:
      throw new UsageError([command === undefined ? 'a command is required' : `unknown command "${command}"`]);
  }
}

/** After a start: the truth about it (new, attached to a running one, or refused as a duplicate), then `--wait`. */
async function startedOrAttached(
  client: Client,
  out: Output,
  run: Run,
  newlyStarted: boolean,
  wait: boolean,
): Promise<void> {
  if (!newlyStarted) {
    const view = await viewRun(client, run);
    if (view.execution !== 'RUNNING') {
      throw new CliFailure(
        'AlreadyExists',
        `${run.label} already exists (${view.step} on ${view.closedAt}); nothing was started: use a new --request-id (\`pcw status ${run.requestId ?? run.workflowId}\` shows it)`,
        { workflowId: run.workflowId, step: view.step, closedAt: view.closedAt },
      );
    }
    if (!wait) {
      out.emit(
        { workflowId: run.workflowId, newlyStarted, step: view.step },
        `${run.label} already running (step ${view.step}, started ${view.startedAt}), attached`,
      );
      return;
    }
    if (!out.json) out.emit(undefined, `${run.label} already running (started ${view.startedAt}), attached`);
  }
  if (!wait) {
    out.emit({ workflowId: run.workflowId, newlyStarted }, `started ${run.workflowId}`);
    return;
  }
  const view = await follow(client, out, run);
  endOf(view);
  out.emit(view.result, finalLine(view));
}

/**
 * Follows `run` to its end, each step shown as it happens (a spinner line on a terminal, plain lines
 * otherwise); with --json, `onJson` gets each step instead.
 */
async function follow(client: Client, out: Output, run: Run, onJson?: (view: RunView) => void): Promise<RunView> {
  const progress = out.progress();
  try {
    return await followRun(client, run, (view) => {
      if (out.json) onJson?.(view);
      else if (view.execution === 'RUNNING') progress.step(stepLine(view));
    });
  } finally {
    progress.stop();
  }
}

function finalLine(view: RunView): string {
  if (view.kind === 'purchase') {
    const result = view.result as PurchaseResult;
    const errors = result.lineErrors.map((e) => `item ${e.item}: ${e.code} ${e.description}`).join('; ');
    return `${view.label}: ${result.status}, subscriptions ${result.subscriptions.map((s) => s.id).join(', ') || 'none'}${errors !== '' ? `; line errors: ${errors}` : ''}`;
  }
  if (view.kind === 'change') return `${view.label}: ${describeChangeResult(view.result as SubscriptionChangeResult)}`;
  return `${view.label}: ${describeReport(view.result as ReconcileReport)}`;
}

/** A run that did not complete ends the command as a failure with its reason (type, message, details). */
function endOf(view: RunView): void {
  if (view.execution === 'COMPLETED') return;
  const type = view.failure?.type ?? view.execution;
  const message = view.failure?.message ?? `ended ${view.execution}`;
  throw new CliFailure(
    type,
    `${view.label} ${view.step}: ${message}`,
    view.failure?.details,
    `${view.label} ${view.step}: ${type}: ${message}`,
    errorOf(view),
  );
}

/**
 * A client update of the purchase `run` (found by request id or workflow id). The client's refusal passes as it
 * is; a finished purchase is told with when it ended and, for cancel, how to cancel what it bought.
 */
async function updatePurchase<T>(run: Run, send: (requestId: string) => Promise<T>): Promise<T> {
  try {
    // Every purchase the client starts is purchase-{requestId}: one started under another id is not the client's.
    return await send(run.requestId ?? run.workflowId);
  } catch (error) {
    if (error instanceof PurchaseAlreadyFinishedError) throw alreadyFinished(run, error);
    throw error;
  }
}

function alreadyFinished(run: Run, error: PurchaseAlreadyFinishedError): CliFailure {
  const ended = `${run.label} is already finished (${error.step} on ${error.closedAt})`;
  if (error.update !== 'cancel')
    return new CliFailure('AlreadyFinished', `${ended}; there is nothing to ${error.update}`, { step: error.step });
  const subscriptions = (error.result?.subscriptions ?? []).filter((s) => s.status !== 'deleted').map((s) => s.id);
  const next =
    subscriptions.length === 0
      ? 'it left no subscription to cancel'
      : `to cancel what it bought, run \`pcw change --cancel --customer ${error.result?.customerId} --subscription ID --request-id NEW_ID\` for ${subscriptions.length === 1 ? `subscription ${subscriptions[0]}` : `each of ${subscriptions.join(', ')}`}`;
  return new CliFailure('AlreadyFinished', `${ended}; ${next}`, { step: error.step, subscriptionIds: subscriptions });
}

const STEPS = [...new Set<string>([...purchaseSteps, ...changeSteps])];

function listAction(values: Values): Action {
  const problems = new Problems();
  const limit = problems.wholeNumber(values, 'limit', 1, 1000) ?? 20;
  if (values.step !== undefined && !STEPS.includes(values.step))
    problems.add(`--step must be one of ${STEPS.join(', ')} (got "${values.step}")`, 'step');
  problems.done();
  return async ({ client, out }) => {
    const types = Object.keys(KINDS).map((type) => `'${type}'`);
    const filters = [`WorkflowType IN (${types.join(', ')})`];
    // Values are quoted for the visibility query language; a quote inside would end the literal.
    const literal = (value: string) => `'${value.replace(/'/g, '')}'`;
    if (values.customer !== undefined) filters.push(`PcCustomerId = ${literal(values.customer)}`);
    if (values.step !== undefined) filters.push(`PcStep = ${literal(values.step)}`);
    const rows: Array<{
      workflowId: string;
      kind: Kind;
      status: string;
      step?: string;
      customerId?: string;
      startTime: string;
    }> = [];
    for await (const execution of client.workflow.list({ query: filters.join(' AND ') })) {
      rows.push({
        workflowId: execution.workflowId,
        kind: KINDS[execution.type as keyof typeof KINDS],
        status: execution.status.name,
        step: execution.searchAttributes.PcStep?.[0] as string | undefined,
        customerId: execution.searchAttributes.PcCustomerId?.[0] as string | undefined,
        startTime: execution.startTime.toISOString(),
      });
      if (rows.length >= limit) break;
    }
    const filter = [
      values.customer !== undefined ? `of customer ${values.customer}` : '',
      values.step !== undefined ? `in step ${values.step}` : '',
    ]
      .filter((f) => f !== '')
      .join(' ');
    out.emit(
      rows,
      rows.length === 0
        ? `no purchases, changes or reconciliations${filter !== '' ? ` ${filter}` : ''}`
        : table(
            ['WORKFLOW ID', 'KIND', 'STATUS', 'STEP', 'CUSTOMER', 'STARTED'],
            rows.map((r) => [r.workflowId, r.kind, r.status, r.step ?? '', r.customerId ?? '', r.startTime]),
          ),
    );
  };
}

function schedulesAction(args: string[]): Action {
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
