import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { EXIT_BAD_CONFIGURATION, loadConfigOrReport } from '../command-line';
import type { LoadConfigOptions, PartnerCenterSettings, WorkerConfig } from '../config';
import { describeSource, environmentBesideStart, withStartCa } from '../start-settings';
import type { PartnerCenterClient } from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { dataConverterFor } from '../temporal/codec';
import { startTracing, stopTracing, tracingClientInterceptors } from '../tracing';
import type { Action } from './action';
import { plan } from './commands';
import { codecServer } from './codec-server';
import { doctor } from './doctor';
import { CliFailure, exitCodeOf, failureReport, UsageError } from './errors';
import { planInvoices } from './billing-invoices';
import { planPcWebhooks, type TemporalAccess } from './pc-webhooks';
import { planOffers } from './offers-eos';
import { checkFlagsOf, OPTIONS, type Values } from './flags';
import { Output } from './output';
import { USAGE } from './usage';

/** `npx pcw`: the operator's and upstream system's command line over the project's workflows (contract §1). */

/**
 * Runs `pcw argv` and returns its exit status: 0 success, 1 failure, 2 usage error (nothing was sent).
 * Every failure is one line on stderr (`{ error: { type, message, details } }` on stdout with --json); --verbose adds the stack.
 */
export async function run(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const out = new Output(json);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...args] = positionals;
    // Beside `npm start`, the settings it left fill what this environment does not set (start-settings.ts).
    const beside = environmentBesideStart(env);
    // doctor reports a bad configuration as one of its checks, so it runs before the configuration is required.
    if (command === 'doctor') {
      checkFlagsOf(command, values);
      return await doctor(args, beside, out, CONNECT_TIMEOUT_MS);
    }
    if (beside.source.kind === 'ignored') process.stderr.write(`pcw: ${describeSource(beside.source)}\n`);
    const loadConfig = (options: LoadConfigOptions) => withStartCa(loadConfigOrReport(beside.env, options), beside);
    if (command === 'codec-server') {
      checkFlagsOf(command, values);
      const config = loadConfig({ requirePartnerCenter: false });
      return config ? await codecServer(args, values, config, out) : EXIT_BAD_CONFIGURATION;
    }
    // invoices, pc-webhooks and offers talk to Partner Center (and its price sheets): its settings are required,
    // Temporal only for `pc-webhooks register` (the backfill Schedule), connected when it asks.
    const partnerCenterCommand = command === undefined ? undefined : PARTNER_CENTER_COMMANDS[command];
    if (partnerCenterCommand !== undefined) {
      checkFlagsOf(command, values);
      const action = partnerCenterCommand(args, values);
      const config = loadConfig({ requirePartnerCenter: true });
      if (!config?.partnerCenter) return EXIT_BAD_CONFIGURATION;
      await action(config.partnerCenter, out, {
        taskQueue: config.taskQueue,
        withClient: (body) => withTemporal(config, body),
      });
      return 0;
    }
    const action = plan(command, args, values);
    const config = loadConfig({ requirePartnerCenter: false });
    return config ? await runOnTemporal(`pcw ${command}`, action, config, out, env) : EXIT_BAD_CONFIGURATION;
  } catch (error) {
    return reportFailure(error, json, verbose);
  }
}

/** A command over the workflows: connected to Temporal, and with OTEL_* set the root span of what it starts. */
async function runOnTemporal(
  name: string,
  action: Action,
  config: WorkerConfig,
  out: Output,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { partnerCenter } = config;
  // Connected on first use: only `subscriptions adopt` reads Partner Center among these commands.
  let connected: PartnerCenterClient | undefined;
  const partnerCenterClient = partnerCenter && (() => (connected ??= connectPartnerCenter(partnerCenter).client));
  const tracing = await startTracing('pcw', env);
  const send = () =>
    withTemporal(config, (client) =>
      action({ client, taskQueue: config.taskQueue, out, partnerCenter: partnerCenterClient }),
    );
  try {
    await (tracing ? tracing.inSpan(name, send) : send());
  } finally {
    // Spans are flushed before pcw exits.
    await stopTracing();
  }
  return 0;
}

/** The failure as one line on stderr (or `{ error }` on stdout with --json), and its exit code. */
function reportFailure(error: unknown, json: boolean, verbose: boolean): number {
  const report = failureReport(error);
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: report })}\n`);
  } else if (error instanceof UsageError) {
    process.stderr.write(
      `pcw: ${error.problems.length === 1 ? error.problems[0] : `${error.problems.length} problems:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`}\nRun \`pcw --help\` for the commands and their flags.\n`,
    );
  } else {
    // One line: the failure's type and message (a CliFailure's line already says what happened).
    process.stderr.write(`pcw: ${error instanceof CliFailure ? error.line : `${report.type}: ${report.message}`}\n`);
  }
  if (verbose) process.stderr.write(`${stacks(error)}\n`);
  return exitCodeOf(error);
}

/** The commands that talk to Partner Center only, each planned from its arguments before anything is sent. */
const PARTNER_CENTER_COMMANDS: Record<
  string,
  (
    args: string[],
    values: Values,
  ) => (settings: PartnerCenterSettings, out: Output, temporal: TemporalAccess) => Promise<void>
> = {
  invoices: planInvoices,
  'pc-webhooks': planPcWebhooks,
  offers: planOffers,
};

/** How long to wait for Temporal before saying it is not reachable (the SDK's default is 10 s). */
const CONNECT_TIMEOUT_MS = 3_000;

async function withTemporal(
  { temporal, encryptionKeys }: Pick<WorkerConfig, 'temporal' | 'encryptionKeys'>,
  body: (client: Client) => ReturnType<Action>,
): Promise<void> {
  const address = temporal.connectionOptions?.address ?? 'localhost:7233 (the default)';
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporal.connectionOptions, connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw new CliFailure(
      'TemporalUnreachable',
      `Temporal is not reachable at ${address} — start it with \`npm start\` or set TEMPORAL_ADDRESS (${firstLine((error as Error).message)})`,
      { address },
      undefined,
      error,
    );
  }
  try {
    await body(
      new Client({
        connection,
        namespace: temporal.namespace,
        dataConverter: dataConverterFor(encryptionKeys),
        interceptors: tracingClientInterceptors(),
      }),
    );
  } finally {
    await connection.close();
  }
}

/** The stack of `error` and of each cause behind it (a workflow failure's causes carry the worker's stacks). */
function stacks(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 10; e = e.cause)
    parts.push(e.stack ?? `${e.name}: ${e.message}`);
  return parts.join('\nCaused by: ');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
