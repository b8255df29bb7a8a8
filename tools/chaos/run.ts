import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runAsMain } from '../../src/command-line';
import { MAX_PURCHASES, runChaos, type ChaosReport } from './chaos';
import { CLUSTER_SERVER_VERSION } from './cluster';
import { describeSlowest } from './slowest';

/**
 * `npm run chaos`: the guarantees under failure (issue 12). A tool, not a test: it takes many minutes, prints its
 * progress on stderr and a table on stdout, and exits 1 when an invariant broke (2 on a usage error).
 */

const USAGE = `Usage: npm run chaos -- [--purchases N] [--kills N] [--restarts N] [--cluster] [--json FILE]
  --purchases N   purchases to run (default 200, at most ${MAX_PURCHASES})
  --kills N       worker SIGKILLs, half of them during a checkout (default 10)
  --restarts N    Temporal restarts, SQLite file kept (default 2); with --cluster, SIGKILLs of
                  the history process, then the matching process, in turn, each started again
  --cluster       Temporal as a cluster on this machine instead of the dev server: the server
                  ${CLUSTER_SERVER_VERSION} (built with Go), a process per service, on PostgreSQL
                  (Debian: apt-get install postgresql)
  --json FILE     also write the report as JSON`;

const EXIT_USAGE = 2;

class UsageError extends Error {}

function count(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new UsageError(`--${name}: must be a whole number from 0 to ${max} (got "${value}")`);
  return n;
}

const seconds = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`;

/** The table: what ran, the figures, then each invariant with PASS/FAIL. */
export function formatReport(report: ChaosReport): string {
  const kills = report.kills.filter((k) => k.inFlight > 0 && k.recovered);
  const recoveries = kills.map((k) => k.recoveryMs ?? 0).sort((a, b) => a - b);
  const killedServices = report.restarts.some((r) => r.service);
  const rows: Array<[string, string]> = [
    ['Temporal', report.temporal],
    ['purchases (incl. same-id and 15-min wait)', `${report.purchases.completed}/${report.purchases.total} completed`],
    [
      'purchase time p50 / p95 / max',
      `${seconds(report.purchases.p50Ms)} / ${seconds(report.purchases.p95Ms)} / ${seconds(report.purchases.maxMs)}`,
    ],
    ['slowest purchase, where it waited', describeSlowest(report.slowest)],
    ['worker processes', `${report.options.workers}`],
    [
      'worker SIGKILLs (during a checkout)',
      `${report.kills.length} (${report.kills.filter((k) => k.during === 'checkout').length})`,
    ],
    [
      'recovery after a kill: p50 / max',
      recoveries.length
        ? `${seconds(recoveries[Math.ceil(recoveries.length / 2) - 1])} / ${seconds(recoveries[recoveries.length - 1])} over ${recoveries.length} kills with work in flight`
        : 'no kill had work in flight',
    ],
    killedServices
      ? [
          'Temporal processes SIGKILLed: downtime',
          report.restarts.map((r) => `${r.service} ${seconds(r.downtimeMs)}`).join(', '),
        ]
      : ['Temporal restarts: downtime', report.restarts.map((r) => seconds(r.downtimeMs)).join(', ') || '–'],
    ['workers exiting on their own (replaced)', `${report.unexpectedWorkerExits}`],
    ['Partner Center requests (faults included)', `${report.partnerCenterRequests}`],
    ['orders / max per cart', `${report.orders.total} / ${report.orders.maxPerCart}`],
    ['invalid requests refused', `${report.invalidRequests.refused}/${report.invalidRequests.total}`],
    ['15-min wait seen after the clock advance', seconds(report.longWait.detectionMs)],
    [
      'histories / worker output scanned for secrets',
      `${report.secrets.historiesScanned} / ${report.secrets.logBytesScanned} bytes`,
    ],
    ['run time', seconds(report.durationMs)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length), ...report.invariants.map((i) => i.name.length + 7));
  const lines = rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  lines.push('');
  for (const invariant of report.invariants) {
    lines.push(`${`${invariant.ok ? 'PASS' : 'FAIL'}   ${invariant.name}`.padEnd(width)}  ${invariant.detail}`);
  }
  if (report.logDir) lines.push('', `worker output kept in ${report.logDir}`);
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        purchases: { type: 'string' },
        kills: { type: 'string' },
        restarts: { type: 'string' },
        json: { type: 'string' },
        cluster: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = {
      purchases: count('purchases', values.purchases, 200, MAX_PURCHASES),
      kills: count('kills', values.kills, 10, 1000),
      restarts: count('restarts', values.restarts, 2, 100),
      json: values.json,
      cluster: values.cluster === true,
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(
    `chaos: ${options.purchases} purchases, 3 workers, ${options.kills} kills, ${options.restarts} ` +
      `${options.cluster ? 'history/matching process kills on a Temporal cluster' : 'Temporal restarts'} (${cpus().length} CPUs)\n`,
  );
  const report = await runChaos({
    purchases: options.purchases,
    kills: options.kills,
    restarts: options.restarts,
    workers: 3,
    inFlight: 25,
    eventGapMs: [8_000, 30_000],
    deadlineMs: 45 * 60_000,
    cluster: options.cluster,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(formatReport(report));
  if (options.json)
    writeFileSync(
      options.json,
      `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, ...report }, null, 2)}\n`,
    );
  return report.invariants.every((i) => i.ok) ? 0 : 1;
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)));
