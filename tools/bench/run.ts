import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSandbox } from 'partner-center-sandbox';
import { runAsMain } from '../../src/command-line';
import { benchBillingExport } from './billing-export';
import { benchBudget } from './budget';
import { benchClient } from './client';
import { benchEventFlood } from './event-flood';
import { benchFloor } from './floor';
import { benchLicences } from './licences';
import { benchLifecycles } from './lifecycles';
import { benchPurchases } from './purchases';
import { benchPriceSheet, benchQuotes } from './price-sheet';
import { printTable, scenario, type Figure } from './report';
import { withTemporal } from './rig';
import { benchScaling } from './scaling';
import { benchWaiting } from './waiting';

/**
 * `npm run bench`: what the product costs, measured on the real parts (Temporal dev server, sandbox over loopback
 * HTTP, msal-node, the worker in this process or as its own processes). Progress on stderr; a table on stdout;
 * `--json FILE` writes the figures.
 */

const SCENARIOS = [
  'client',
  'purchases',
  'floor',
  'waiting',
  'budget',
  'scaling',
  'billing-export',
  'event-flood',
  'lifecycles',
  'licences',
  'prices',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const USAGE = `Usage: npm run bench -- [--only ${SCENARIOS.join('|')}[,…]] [--purchases N] [--requests N]
  [--floor N] [--concurrency N] [--waiting N] [--wait-window SECONDS] [--worker-node-flags "FLAGS"]
  [--budget-purchases N] [--scaling N] [--export-lines N] [--lifecycles N] [--renewal-wave N (0: none)]
  [--idle-window SECONDS] [--events N] [--licence-users N] [--price-rows N] [--quotes N] [--json FILE]`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'string' },
      only: { type: 'string' },
      purchases: { type: 'string' },
      requests: { type: 'string' },
      floor: { type: 'string' },
      concurrency: { type: 'string' },
      waiting: { type: 'string' },
      'wait-window': { type: 'string' },
      'worker-node-flags': { type: 'string' },
      'budget-purchases': { type: 'string' },
      scaling: { type: 'string' },
      'export-lines': { type: 'string' },
      lifecycles: { type: 'string' },
      'renewal-wave': { type: 'string' },
      'idle-window': { type: 'string' },
      events: { type: 'string' },
      'licence-users': { type: 'string' },
      'price-rows': { type: 'string' },
      quotes: { type: 'string' },
    },
  });
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !(SCENARIOS as readonly string[]).includes(name)) ?? [];
  if (unknown.length) throw new Error(`--only: unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  const runs = (name: ScenarioName) => only === undefined || only.includes(name);
  const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  const concurrency = number(values.concurrency, 30);
  const workerNodeFlags = values['worker-node-flags']?.split(/\s+/).filter(Boolean) ?? [];
  // No shutdown signals: Ctrl-C ends the bench (and, through the process group, its dev server and workers) at once.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const figures: Figure[] = [];
  const loadBefore = loadavg()[0];
  const sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 0 });
  try {
    const requests = number(values.requests, 2000);
    if (runs('client')) {
      await scenario(
        `Partner Center client: 100 concurrent tokens, catalog resolution, GET /products x${requests}`,
        () => benchClient(sandbox, figures, requests),
      );
    }
    if (runs('prices'))
      await scenario('price sheet: parse and index', () =>
        benchPriceSheet(figures, number(values['price-rows'], 200_000)),
      );
    if (SCENARIOS.some((name) => name !== 'client' && runs(name))) {
      await withTemporal(figures, async (rig) => {
        if (runs('purchases')) await benchPurchases(rig, sandbox, figures, number(values.purchases, 30));
        if (runs('floor')) await benchFloor(rig, sandbox, figures, { count: number(values.floor, 300), concurrency });
        if (runs('waiting'))
          await benchWaiting(rig, sandbox, figures, {
            count: number(values.waiting, 1000),
            windowMs: number(values['wait-window'], 180) * 1000,
            workerNodeFlags,
          });
        if (runs('budget'))
          await benchBudget(rig, sandbox, figures, {
            count: number(values['budget-purchases'], 1000),
            workerNodeFlags,
          });
        if (runs('scaling'))
          await benchScaling(rig, sandbox, figures, {
            count: number(values.scaling, 300),
            concurrency,
            workerNodeFlags,
          });
        if (runs('prices')) await benchQuotes(rig, sandbox, figures, number(values.quotes, 300));
        if (runs('billing-export'))
          await benchBillingExport(rig, sandbox, figures, {
            lines: number(values['export-lines'], 1_000_000),
            workerNodeFlags,
          });
        if (runs('event-flood'))
          await benchEventFlood(rig, sandbox, figures, {
            count: number(values.events, 1000),
            concurrency: values.concurrency === undefined ? 50 : concurrency,
          });
        if (runs('licences')) await benchLicences(rig, sandbox, figures, number(values['licence-users'], 500));
        // Last: it resets the sandbox.
        if (runs('lifecycles'))
          await benchLifecycles(rig, sandbox, figures, {
            count: number(values.lifecycles, 1000),
            wave: number(values['renewal-wave'], 200),
            idleWindowMs: number(values['idle-window'], 60) * 1000,
            workerNodeFlags,
          });
      });
    }
  } finally {
    await sandbox.close();
  }
  printTable(figures);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadBefore, loadAfter: loadavg()[0] };
  process.stdout.write(
    `\n${new Date().toISOString()}, Node ${process.version}, ${machine.cpus} × ${machine.cpuModel}, load average ${loadBefore.toFixed(2)} before, ${machine.loadAfter.toFixed(2)} after\n`,
  );
  const report = { date: new Date().toISOString(), node: process.version, ...machine, figures };
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)).then(() => 0));
