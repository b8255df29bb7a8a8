import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import {
  approvePurchaseUpdate,
  cancelPurchaseUpdate,
  getPurchase,
  getPurchaseStatus,
  rejectPurchaseUpdate,
  describeChange,
  InvalidReconcileRequestError,
  scheduleReconcile,
  startChange,
  startReconcile,
  startPurchase,
  type PurchaseRequest,
  type ReconcileRequest,
  type SubscriptionChange,
  type PurchaseStatus,
} from '../client';
import type { WorkerConfig } from '../config';
import { EXIT_BAD_CONFIGURATION, loadConfigOrReport, runAsMain } from '../entry';
import { terminalSteps } from '../workflows/purchase-types';

/** `npx pcw`: the operator's and upstream system's command line over the purchase workflows (contract §1). */

const USAGE = `Usage: pcw <command> [options] [--json]

  purchase  --customer GUID --request-id ID (--catalog-item-id P:S:A | --product P --sku S)
            --quantity N --term P1M|P1Y|P3Y --billing monthly|annual|triennial
            [--country US] [--segment commercial] [--currency USD] [--friendly-name NAME]
            [--no-auto-renew] [--require-approval] [--wait]
  purchase  --file request.json [--wait]          a whole PurchaseRequest (contract §3)
  status    REQUEST_ID                            step, cart, orders, subscriptions, last error
  approve   REQUEST_ID --by NAME
  reject    REQUEST_ID --by NAME --reason TEXT
  cancel    REQUEST_ID --reason TEXT
  change    --customer GUID --subscription GUID --request-id ID [--wait] and one of:
            --quantity N | --auto-renew on|off | --friendly-name NAME | --cancel |
            --schedule-next-term [--term P1Y] [--billing annual] [--quantity N] [--catalog-item-id P:S:A]
  reconcile --currency USD [--period current|previous] [--customer GUID] [--billing-delay-hours 24] [--wait]
  reconcile --currency USD [--period current] [--customer GUID] --schedule '0 6 * * *' [--schedule-id ID]
            unbilled new-commerce charges against orders and subscriptions, now or on a Temporal Schedule
  list      [--customer GUID] [--step STEP] [--limit 20]
  watch     REQUEST_ID                            follows the steps until the purchase ends

Temporal connection and task queue come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_TASK_QUEUE, ...), as for the worker.`;

export class UsageError extends Error {}

interface Output {
  json: boolean;
  write(line: string): void;
}

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  customer: { type: 'string' },
  'request-id': { type: 'string' },
  'catalog-item-id': { type: 'string' },
  product: { type: 'string' },
  sku: { type: 'string' },
  quantity: { type: 'string' },
  term: { type: 'string' },
  billing: { type: 'string' },
  country: { type: 'string' },
  segment: { type: 'string' },
  currency: { type: 'string' },
  'friendly-name': { type: 'string' },
  'no-auto-renew': { type: 'boolean' },
  'require-approval': { type: 'boolean' },
  wait: { type: 'boolean' },
  subscription: { type: 'string' },
  'auto-renew': { type: 'string' },
  cancel: { type: 'boolean' },
  'schedule-next-term': { type: 'boolean' },
  period: { type: 'string' },
  schedule: { type: 'string' },
  'schedule-id': { type: 'string' },
  'billing-delay-hours': { type: 'string' },
  file: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  step: { type: 'string' },
  limit: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Builds the request from flags; the workflow validates it again and names every bad field. */
export function purchaseRequestFromFlags(values: Values): PurchaseRequest {
  if (values.file) return JSON.parse(readFileSync(values.file, 'utf8')) as PurchaseRequest;
  const offer = values['catalog-item-id']
    ? { catalogItemId: values['catalog-item-id'] }
    : { productId: required(values, 'product'), skuId: required(values, 'sku') };
  const quantity = Number(required(values, 'quantity'));
  return {
    requestId: required(values, 'request-id'),
    customerId: required(values, 'customer'),
    ...(values.country ? { country: values.country } : {}),
    ...(values.segment ? { segment: values.segment as PurchaseRequest['segment'] } : {}),
    ...(values.currency ? { currency: values.currency } : {}),
    ...(values['require-approval'] ? { requireApproval: true } : {}),
    items: [
      {
        offer,
        quantity,
        termDuration: required(values, 'term') as PurchaseRequest['items'][number]['termDuration'],
        billingCycle: required(values, 'billing') as PurchaseRequest['items'][number]['billingCycle'],
        ...(values['no-auto-renew'] ? { autoRenew: false } : {}),
        ...(values['friendly-name'] ? { friendlyName: values['friendly-name'] } : {}),
      },
    ],
  };
}

/** Exactly one change from the flags; the workflow validates it again and names every bad field. */
export function subscriptionChangeFromFlags(values: Values): SubscriptionChange {
  const quantity = values.quantity === undefined ? undefined : Number(values.quantity);
  if (values['schedule-next-term']) {
    return {
      action: 'scheduleNextTerm',
      ...(values.term ? { termDuration: values.term as 'P1M' | 'P1Y' | 'P3Y' } : {}),
      ...(values.billing ? { billingCycle: values.billing as 'monthly' | 'annual' | 'triennial' } : {}),
      ...(quantity !== undefined ? { quantity } : {}),
      ...(values['catalog-item-id'] ? { catalogItemId: values['catalog-item-id'] } : {}),
    };
  }
  const changes: SubscriptionChange[] = [
    ...(quantity !== undefined ? [{ action: 'setQuantity' as const, quantity }] : []),
    ...(values['auto-renew'] !== undefined ? [{ action: 'setAutoRenew' as const, enabled: parseOnOff(values['auto-renew']) }] : []),
    ...(values['friendly-name'] !== undefined ? [{ action: 'rename' as const, friendlyName: values['friendly-name'] }] : []),
    ...(values.cancel ? [{ action: 'cancel' as const }] : []),
  ];
  if (changes.length !== 1) {
    throw new UsageError('give exactly one of --quantity, --auto-renew, --friendly-name, --cancel, --schedule-next-term');
  }
  return changes[0];
}

function parseOnOff(value: string): boolean {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new UsageError(`--auto-renew takes on or off (got "${value}")`);
}

function describeStatus(requestId: string, status: PurchaseStatus): string {
  const lines = [`purchase ${requestId}: ${status.step} (updated ${status.updatedAt})`];
  if (status.cartId) lines.push(`  cart           ${status.cartId}`);
  if (status.orderIds.length > 0) lines.push(`  orders         ${status.orderIds.join(', ')}`);
  if (status.subscriptionIds.length > 0) lines.push(`  subscriptions  ${status.subscriptionIds.join(', ')}`);
  if (status.lastError) lines.push(`  last error     ${status.lastError}`);
  return lines.join('\n');
}

function emit(out: Output, value: unknown, text: string): void {
  out.write(out.json ? JSON.stringify(value) : text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runCommand(argv: string[], client: Client, config: WorkerConfig, out: Output): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, requestId] = positionals;
  const requestIdArg = () => {
    if (!requestId) throw new UsageError(`${command} needs a REQUEST_ID`);
    return requestId;
  };
  switch (command) {
    case 'purchase': {
      const request = purchaseRequestFromFlags(values);
      const handle = await startPurchase(client, request, { taskQueue: config.taskQueue });
      if (values.wait) {
        const result = await handle.result();
        emit(out, result, `purchase ${request.requestId}: ${result.status}, subscriptions ${result.subscriptions.map((s) => s.id).join(', ') || 'none'}`);
      } else {
        emit(out, { workflowId: handle.workflowId }, `started ${handle.workflowId}`);
      }
      return;
    }
    case 'change': {
      const request = {
        requestId: required(values, 'request-id'),
        customerId: required(values, 'customer'),
        subscriptionId: required(values, 'subscription'),
        change: subscriptionChangeFromFlags(values),
      };
      const handle = await startChange(client, request, { taskQueue: config.taskQueue });
      if (values.wait) {
        const result = await handle.result();
        emit(
          out,
          result,
          `change ${request.requestId}: ${describeChange(result.change)} (${result.completion}); ` +
            `quantity ${result.before.quantity} → ${result.after.quantity}, status ${result.after.status}, ` +
            `auto-renew ${result.after.autoRenewEnabled ? 'on' : 'off'}`,
        );
      } else {
        emit(out, { workflowId: handle.workflowId }, `started ${handle.workflowId}`);
      }
      return;
    }
    case 'reconcile': {
      const request = {
        period: (values.period ?? 'current') as ReconcileRequest['period'],
        currency: required(values, 'currency'),
        ...(values.customer ? { customerId: values.customer } : {}),
        ...(values['billing-delay-hours'] !== undefined ? { billingDelayHours: Number(values['billing-delay-hours']) } : {}),
      };
      if (values.schedule) {
        const schedule = await scheduleReconcile(client, {
          cron: values.schedule,
          request,
          taskQueue: config.taskQueue,
          ...(values['schedule-id'] ? { scheduleId: values['schedule-id'] } : {}),
        });
        emit(out, { scheduleId: schedule.scheduleId, cron: values.schedule }, `schedule ${schedule.scheduleId} runs reconcileBilling on '${values.schedule}' (UTC)`);
        return;
      }
      const handle = await startReconcile(client, request, { taskQueue: config.taskQueue });
      if (values.wait) {
        const report = await handle.result();
        emit(
          out,
          report,
          `reconcile ${report.currency} ${report.period} (${report.periodStart} .. ${report.periodEnd}): ${report.lines} lines, ` +
            `${report.matched} subscriptions matched, ${report.totals.unexpectedCharges} unexpected charges, ` +
            `${report.totals.missingCharges} missing charges, ${report.totals.quantityMismatches} quantity mismatches, ${report.unverified} unverified`,
        );
      } else {
        emit(out, { workflowId: handle.workflowId }, `started ${handle.workflowId}`);
      }
      return;
    }
    case 'status': {
      const id = requestIdArg();
      const status = await getPurchaseStatus(client, id);
      emit(out, status, describeStatus(id, status));
      return;
    }
    case 'approve': {
      const id = requestIdArg();
      const status = await getPurchase(client, id).executeUpdate(approvePurchaseUpdate, { args: [{ by: required(values, 'by') }] });
      emit(out, status, describeStatus(id, status));
      return;
    }
    case 'reject': {
      const id = requestIdArg();
      const status = await getPurchase(client, id).executeUpdate(rejectPurchaseUpdate, {
        args: [{ by: required(values, 'by'), reason: required(values, 'reason') }],
      });
      emit(out, status, describeStatus(id, status));
      return;
    }
    case 'cancel': {
      const id = requestIdArg();
      const ack = await getPurchase(client, id).executeUpdate(cancelPurchaseUpdate, { args: [{ reason: required(values, 'reason') }] });
      emit(
        out,
        ack,
        ack.afterCheckout
          ? `cancel accepted in step ${ack.step}: the subscriptions it bought are being cancelled`
          : `cancel accepted in step ${ack.step}: nothing is bought`,
      );
      return;
    }
    case 'list': {
      const filters = ["WorkflowType = 'purchaseSubscription'"];
      // Values are quoted for the visibility query language; a quote inside would end the literal.
      const literal = (value: string) => `'${value.replace(/'/g, '')}'`;
      if (values.customer) filters.push(`PcCustomerId = ${literal(values.customer)}`);
      if (values.step) filters.push(`PcStep = ${literal(values.step)}`);
      const limit = Number(values.limit ?? '20');
      const rows: Array<{ workflowId: string; status: string; step?: string; customerId?: string; startTime: string }> = [];
      for await (const execution of client.workflow.list({ query: filters.join(' AND ') })) {
        rows.push({
          workflowId: execution.workflowId,
          status: execution.status.name,
          step: execution.searchAttributes.PcStep?.[0] as string | undefined,
          customerId: execution.searchAttributes.PcCustomerId?.[0] as string | undefined,
          startTime: execution.startTime.toISOString(),
        });
        if (rows.length >= limit) break;
      }
      emit(
        out,
        rows,
        rows.length === 0
          ? 'no purchases'
          : rows.map((r) => `${r.workflowId.padEnd(40)} ${r.status.padEnd(10)} ${(r.step ?? '').padEnd(18)} ${r.customerId ?? ''}`).join('\n'),
      );
      return;
    }
    case 'watch': {
      const id = requestIdArg();
      let last = '';
      for (;;) {
        const status = await getPurchaseStatus(client, id);
        const text = describeStatus(id, status);
        if (text !== last) emit(out, status, text);
        last = text;
        if (terminalSteps.includes(status.step)) return;
        await sleep(1000);
      }
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json');
  const out: Output = { json, write: (line) => process.stdout.write(`${line}\n`) };
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfigOrReport(env, { requirePartnerCenter: false });
  if (!config) return EXIT_BAD_CONFIGURATION;
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    await runCommand(argv, client, config, out);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof InvalidReconcileRequestError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    const message =
      error instanceof WorkflowNotFoundError ? `no purchase with workflow id ${error.workflowId}` : (error as Error).message;
    if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    else process.stderr.write(`pcw: ${message}\n${usage ? `\n${USAGE}\n` : ''}`);
    return usage ? 2 : 1;
  } finally {
    await connection.close();
  }
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)));
