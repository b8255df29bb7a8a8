import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { searchAttributeKeys } from '../workflows/common/search-attributes';
import { resolveTemporalCli, type TemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** gRPC port; 0 picks a free one. */
  port?: number;
  /** Web UI port; omitted = headless (tests), `npm start` asks for 8233. */
  uiPort?: number;
  /** The UI's codec endpoint (`pcw codec-server`), so it shows encrypted payloads decoded. */
  uiCodecEndpoint?: string;
  /** SQLite file so workflows survive a restart; omitted = in-memory. */
  dbFile?: string;
  namespace?: string;
  /** Where progress and the server's own output go. */
  progress?: (line: string) => void;
  /** How long to wait for the frontend to accept connections (a cold SQLite start can take seconds). */
  startTimeoutMs?: number;
  /**
   * Keep the server out of the terminal's process group, so Ctrl-C reaches only the parent, which then stops the
   * worker first and the server last (it is still killed when the parent exits).
   */
  ownProcessGroup?: boolean;
  /** `--dynamic-config-value` entries beside DYNAMIC_CONFIG (e.g. the tests' faster version drainage). */
  dynamicConfig?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  cli: TemporalCli;
  stop(): Promise<void>;
}

/**
 * Flags the SDK's own ephemeral server passes; the version check would call the internet. The chaos cluster uses them
 * too. Workflow rules carry `pcw activities pause` (src/client/activity-pause.ts). Fairness (which implies the
 * priority matcher, `matching.useNewMatcher`) makes the server dispatch tasks by priority key, and by fairness key
 * within a priority: the one Partner Center budget serves checkouts first (docs/deploy.md, test/integration/dev).
 */
export const DYNAMIC_CONFIG = [
  'frontend.enableServerVersionCheck=false',
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  'frontend.workflowRulesAPIsEnabled=true',
  'matching.enableFairness=true',
];

/** `--search-attribute Name=Type` for every contract search attribute, in the CLI's spelling. */
function searchAttributeFlags(): string[] {
  return searchAttributeKeys.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`,
  ]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

/** Tries on a port of its own choosing before giving up: another process may take a chosen port before the server binds it. */
const START_ATTEMPTS = 3;

/**
 * Starts the real Temporal dev server (SQLite, optional Web UI) and resolves once it answers a Temporal call and is
 * still running. On a port it chose itself, a child that exits while starting (a port taken in the meantime) is
 * started again on another.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cli = await resolveTemporalCli({ progress });
  const fixedPort = options.port && options.port > 0 ? options.port : undefined;
  await refuseBusyPorts(options);
  for (let attempt = 1; ; attempt += 1) {
    const port = fixedPort ?? (await freePort());
    const child = spawnServer(cli, options, port);
    try {
      await waitUntilReady(child, port, options);
    } catch (err) {
      if (fixedPort !== undefined || attempt >= START_ATTEMPTS || !(err instanceof ExitedWhileStarting)) throw err;
      progress(`${err.summary}; starting it again on another port`);
      continue;
    }
    return {
      address: `127.0.0.1:${port}`,
      uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
      cli,
      stop: () => stopChild(child),
    };
  }
}

function spawnServer(cli: TemporalCli, options: DevServerOptions, port: number): ChildProcess {
  const child = spawn(cli.path, devServerArgs(options, port), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup === true,
  });
  if (options.ownProcessGroup) {
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
  }
  return child;
}

/** A server already there would answer our readiness probe while our own child dies on the busy port. */
async function refuseBusyPorts(options: DevServerOptions): Promise<void> {
  for (const [what, fixed] of [
    ['gRPC', options.port],
    ['UI', options.uiPort],
  ] as const) {
    if (fixed && (await canConnect(fixed))) {
      throw new Error(
        `Port ${fixed} (Temporal ${what}) is already in use on 127.0.0.1: another Temporal server is running. ` +
          'Stop it, or set TEMPORAL_ADDRESS to use it instead of starting one.',
      );
    }
  }
}

function devServerArgs(options: DevServerOptions, port: number): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'error',
    ...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.uiCodecEndpoint !== undefined ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    ...[...DYNAMIC_CONFIG, ...(options.dynamicConfig ?? [])].flatMap((value) => ['--dynamic-config-value', value]),
    ...searchAttributeFlags(),
  ];
}

/** The child exited before it answered: worth another try on another port when the port was ours to choose. */
class ExitedWhileStarting extends Error {
  constructor(
    readonly summary: string,
    output: string,
  ) {
    super(`${summary}.\n${output}`);
  }
}

/**
 * Resolves once the child's frontend answers DescribeNamespace (the namespace is registered: the server is up, not
 * just listening) and the child is still running, so a listener of another process on the port never counts. Kills
 * the child and throws with its last output when it exits first or the deadline passes.
 */
async function waitUntilReady(child: ChildProcess, port: number, options: DevServerOptions): Promise<void> {
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitReason: string | undefined;
  child.once('exit', (code, signal) => (exitReason = `exited (${signal ?? `code ${code}`})`));
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await answers(port, options.namespace ?? 'default')) || exitReason !== undefined) {
    if (exitReason !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      const summary = `Temporal dev server ${exitReason ?? 'did not answer in time'} on 127.0.0.1:${port}`;
      const last = output.join('').slice(-4000);
      throw exitReason !== undefined ? new ExitedWhileStarting(summary, last) : new Error(`${summary}.\n${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // The dev server keeps logging; once up, its output is only noise (errors show in the UI and the CLI).
  child.stdout?.removeListener('data', keep);
  child.stderr?.removeListener('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();
}

/** Whether a Temporal frontend on `port` knows `namespace`; false while nothing listens or it is still starting. */
async function answers(port: number, namespace: string): Promise<boolean> {
  if (!(await canConnect(port))) return false;
  const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 2_000 }).catch(
    () => undefined,
  );
  if (connection === undefined) return false;
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

/** SIGTERM, then SIGKILL after 10 s: a dev server flushing SQLite gets a chance, but never hangs a test run. */
function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
