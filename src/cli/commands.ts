import type { Action } from './action';
import { planActivities } from './activities';
import { UsageError } from './errors';
import { checkFlagsOf, type Values } from './flags';
import { planList } from './list';
import { planQuote } from './quote';
import { planCancel, planDecision, planStatus, planWatch } from './run-commands';
import { planOnboard } from './onboard';
import { planSchedules } from './schedules';
import { planChange, planPurchase, planReconcile } from './start-commands';
import { planSubscriptions } from './subscriptions';
import { planLicences } from './licences';

/**
 * The `pcw` commands that talk to Temporal, one module per family: start-commands (purchase, change, reconcile),
 * run-commands (status, watch, approve, reject, cancel), list, schedules, subscriptions (lifecycles) and activities
 * (the pause switch).
 */

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
    case 'purchase':
      return planPurchase(values);
    case 'quote':
      return planQuote(values);
    case 'change':
      return planChange(values);
    case 'reconcile':
      return planReconcile(values);
    case 'onboard':
      return planOnboard(values);
    case 'status':
      return planStatus(id());
    case 'watch':
      return planWatch(id());
    case 'approve':
    case 'reject':
      return planDecision(command, id(), values);
    case 'cancel':
      return planCancel(id(), values);
    case 'list':
      return planList(values);
    case 'schedules':
      return planSchedules(args);
    case 'subscriptions':
      return planSubscriptions(args, values);
    case 'licences':
      return planLicences(args, values);
    case 'activities':
      return planActivities(args, values);
    default:
      throw new UsageError([command === undefined ? 'a command is required' : `unknown command "${command}"`]);
  }
}
