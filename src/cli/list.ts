import type { Client } from '@temporalio/client';
import { changeSteps } from '../workflows/subscription/api';
import { purchaseSteps } from '../workflows/purchase/api';
import type { Action } from './action';
import { Problems, type Values } from './flags';
import { table } from './output';
import { KINDS, type Kind } from './runs';

/** `pcw list`: purchases, changes and reconciliations through Temporal's visibility, newest first. */

const STEPS = [...new Set<string>([...purchaseSteps, ...changeSteps])];

interface ListedRun {
  workflowId: string;
  kind: Kind;
  status: string;
  step?: string;
  customerId?: string;
  startTime: string;
}

export function planList(values: Values): Action {
  const problems = new Problems();
  const limit = problems.wholeNumber(values, 'limit', 1, 1000) ?? 20;
  if (values.step !== undefined && !STEPS.includes(values.step))
    problems.add(`--step must be one of ${STEPS.join(', ')} (got "${values.step}")`, 'step');
  problems.done();
  return async ({ client, out }) => {
    const rows = await listRuns(client, visibilityQuery(values), limit);
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

/** The project's workflow types, narrowed by --customer and --step. */
function visibilityQuery(values: Values): string {
  const types = Object.keys(KINDS).map((type) => `'${type}'`);
  const filters = [`WorkflowType IN (${types.join(', ')})`];
  // Values are quoted for the visibility query language; a quote inside would end the literal.
  const literal = (value: string) => `'${value.replace(/'/g, '')}'`;
  if (values.customer !== undefined) filters.push(`PcCustomerId = ${literal(values.customer)}`);
  if (values.step !== undefined) filters.push(`PcStep = ${literal(values.step)}`);
  return filters.join(' AND ');
}

async function listRuns(client: Client, query: string, limit: number): Promise<ListedRun[]> {
  const rows: ListedRun[] = [];
  for await (const execution of client.workflow.list({ query })) {
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
  return rows;
}
