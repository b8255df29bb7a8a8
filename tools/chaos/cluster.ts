import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { goInstallCached, temporalCacheDir, type GoProgram } from '../../src/dev/temporal-cli';
import { DYNAMIC_CONFIG, freePort } from '../../src/dev/temporal-dev-server';
import { searchAttributeKeys } from '../../src/workflows/common/search-attributes';

/**
 * `npm run chaos -- --cluster`: a Temporal cluster on this machine, as one is run in production. The real server
 * (built with Go, cached like the CLI), its frontend, history, matching and internal-worker services each a process of
 * its own, on a private PostgreSQL for persistence and SQL visibility. The chaos run SIGKILLs one history and one
 * matching process and starts them again.
 */

export const CLUSTER_SERVER_VERSION = 'v1.29.1';
export const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];
/** The services the chaos run kills; the frontend is what clients and workers connect to, the worker is internal. */
export type KillableService = 'history' | 'matching';

const NAMESPACE = 'default';
const DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' };
const DB_USER = 'temporal';
/** Few shards: plenty for one history process on a small machine, and each shard is a lease to take over. */
const HISTORY_SHARDS = 4;
const START_TIMEOUT_MS = 120_000;

export interface ClusterPorts {
  postgres: number;
  services: Record<ClusterService, { grpc: number; membership: number; http?: number }>;
}

export interface TemporalCluster {
  /** The frontend, what clients and workers connect to. */
  address: string;
  /** The server version, its processes and the database, for the report. */
  description: string;
  /** SIGKILLs the service's process and starts it again; resolves with the time until it served again (ms). */
  restartService(service: KillableService): Promise<number>;
  stop(): Promise<void>;
}

const programs = (env: NodeJS.ProcessEnv): Record<'server' | 'sqlTool', GoProgram> => ({
  server: {
    name: 'the Temporal server',
    module: 'go.temporal.io/server/cmd/server',
    version: CLUSTER_SERVER_VERSION,
    target: join(temporalCacheDir(env), `temporal-server-${CLUSTER_SERVER_VERSION}`),
  },
  sqlTool: {
    name: 'the Temporal SQL tool',
    module: 'go.temporal.io/server/cmd/tools/sql',
    version: CLUSTER_SERVER_VERSION,
    target: join(temporalCacheDir(env), `temporal-sql-tool-${CLUSTER_SERVER_VERSION}`),
  },
});

/** The server's configuration (`config/cluster.yaml`; JSON is YAML): Postgres for both stores, every service on its ports. */
export function clusterConfig(ports: ClusterPorts, dynamicConfigFile: string): Record<string, unknown> {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${ports.postgres}`,
      connectProtocol: 'tcp',
      user: DB_USER,
      password: DB_USER,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const frontend = `127.0.0.1:${ports.services.frontend.grpc}`;
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': store(DATABASES.persistence, 20),
        'postgres-visibility': store(DATABASES.visibility, 5),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(
      CLUSTER_SERVICES.map((service) => {
        const { grpc, membership, http } = ports.services[service];
        return [
          service,
          {
            rpc: {
              grpcPort: grpc,
              membershipPort: membership,
              bindOnLocalHost: true,
              ...(http !== undefined ? { httpPort: http } : {}),
            },
          },
        ];
      }),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontend },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** The dev server's dynamic config (`key=value`), in the file format a server reads. */
export function clusterDynamicConfig(): Record<string, Array<{ value: unknown; constraints: object }>> {
  return Object.fromEntries(
    DYNAMIC_CONFIG.map((entry) => {
      const [key, value] = entry.split('=', 2);
      return [key, [{ value: JSON.parse(value) as unknown, constraints: {} }]];
    }),
  );
}

/** The membership table keeps ports as smallint: a free port below 32768 (the kernel's own picks are above). */
async function freeMembershipPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function clusterPorts(): Promise<ClusterPorts> {
  const service = async (http: boolean) => ({
    grpc: await freePort(),
    membership: await freeMembershipPort(),
    ...(http ? { http: await freePort() } : {}),
  });
  return {
    postgres: await freePort(),
    services: {
      frontend: await service(true),
      history: await service(false),
      matching: await service(false),
      worker: await service(false),
    },
  };
}

export class PostgresNotFoundError extends Error {
  constructor() {
    super(
      'PostgreSQL is not installed: `npm run chaos -- --cluster` runs a private PostgreSQL server for the cluster. ' +
        'Install it (Debian/Ubuntu: `apt-get install postgresql`; its programs land in /usr/lib/postgresql/<version>/bin), ' +
        'or put its bin directory (initdb, postgres, pg_isready) on PATH.',
    );
    this.name = 'PostgresNotFoundError';
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL's bin directory: where initdb on PATH really lives (a symlink may name only some of the programs), else
 * Debian's newest /usr/lib/postgresql/<version>/bin (not on PATH there).
 */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env, debianRoot = '/usr/lib/postgresql'): string {
  const onPath = (env.PATH ?? '').split(delimiter).find((dir) => dir && isExecutable(join(dir, 'initdb')));
  if (onPath) return dirname(realpathSync(join(onPath, 'initdb')));
  let versions: string[] = [];
  try {
    versions = readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian PostgreSQL.
  }
  const debian = versions.map((v) => join(debianRoot, v, 'bin')).find((dir) => isExecutable(join(dir, 'initdb')));
  if (!debian) throw new PostgresNotFoundError();
  return debian;
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user (or `nobody`). */
function postgresIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
    if (uid > 0 && gid > 0) return { uid, gid };
  }
  throw new Error('Running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as.');
}

/** Runs a program to its end; rejects with its output when it fails. */
function runToEnd(command: string, args: string[], options: { uid?: number; gid?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(
            new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.slice(-3000)}`),
          ),
    );
  });
}

/** A long-running child of its own process group, killed with this process whatever happens; output to `logFile`. */
function spawnOwned(command: string, args: string[], logFile: string, options: { uid?: number; gid?: number } = {}) {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { ...options, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `signal`, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
  const exited = exitOf(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill(signal);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `probe` until it resolves; throws its last error after `timeoutMs`, or at once when `failed` names a reason. */
async function until(
  what: string,
  probe: () => Promise<unknown>,
  timeoutMs = START_TIMEOUT_MS,
  failed: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      const reason = failed();
      if (reason) throw new Error(`${what} not ready: ${reason}`);
      if (Date.now() > deadline)
        throw new Error(`${what} not ready in ${timeoutMs / 1000} s: ${(error as Error).message}`);
      await sleep(250);
    }
  }
}

const grpcCode = (error: unknown) => (error as { code?: number }).code;
const GRPC_ALREADY_EXISTS = 6;
const GRPC_NOT_FOUND = 5;

async function startPostgres(dir: string, bin: string, port: number, progress: (line: string) => void) {
  const identity = postgresIdentity();
  const data = join(dir, 'postgres');
  mkdirSync(data, { mode: 0o700 });
  if (identity) {
    // The run's folder is root's: the postgres user may pass through it to its own data folder.
    chmodSync(dir, 0o711);
    chownSync(data, identity.uid, identity.gid);
  }
  progress(`initialising PostgreSQL (${bin}) in ${data}`);
  await runToEnd(
    join(bin, 'initdb'),
    ['-D', data, '-U', DB_USER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
    identity,
  );
  const server = spawnOwned(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      // The chaos kills Temporal's processes, never PostgreSQL: durability against power loss is not under test.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    join(dir, 'postgres.log'),
    identity,
  );
  await until(
    'PostgreSQL',
    () => runToEnd(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', DB_USER]),
    60_000,
  );
  return server;
}

/** Creates the persistence and visibility databases with the server's own schemas (embedded in the SQL tool). */
async function createSchemas(sqlTool: string, port: number): Promise<void> {
  for (const [db, schema] of [
    [DATABASES.persistence, 'postgresql/v12/temporal'],
    [DATABASES.visibility, 'postgresql/v12/visibility'],
  ]) {
    const connect = [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(port),
      '-u',
      DB_USER,
      '--pw',
      DB_USER,
      '--db',
      db,
    ];
    await runToEnd(sqlTool, [...connect, 'create-database']);
    await runToEnd(sqlTool, [...connect, 'setup-schema', '-v', '0.0']);
    await runToEnd(sqlTool, [...connect, 'update-schema', '--schema-name', schema]);
  }
}

/** Starts the whole cluster and resolves once the `default` namespace takes workflows with the contract's search attributes. */
export async function startTemporalCluster(dir: string, progress: (line: string) => void): Promise<TemporalCluster> {
  const pgBin = findPostgresBin();
  const { server, sqlTool } = programs(process.env);
  const serverBinary = await goInstallCached(server, { progress });
  const sqlToolBinary = await goInstallCached(sqlTool, { progress });

  const ports = await clusterPorts();
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0)) await step().catch(() => undefined);
  };
  try {
    const postgres = await startPostgres(dir, pgBin, ports.postgres, progress);
    cleanup.unshift(() => stopChild(postgres, 'SIGINT'));
    progress('creating the temporal and temporal_visibility databases');
    await createSchemas(sqlToolBinary, ports.postgres);

    const root = join(dir, 'temporal');
    mkdirSync(join(root, 'config'), { recursive: true });
    const dynamicConfigFile = join(root, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfigFile, JSON.stringify(clusterDynamicConfig(), null, 2));
    writeFileSync(
      join(root, 'config', 'cluster.yaml'),
      JSON.stringify(clusterConfig(ports, dynamicConfigFile), null, 2),
    );

    const processes = new Map<ClusterService, ChildProcess>();
    /** Processes stopped or killed on purpose; any other exit fails the start or the restart at once. */
    const deliberate = new Set<ChildProcess>();
    const died: string[] = [];
    const failed = () => died[0];
    const startService = (service: ClusterService) => {
      const log = join(dir, `${service}.log`);
      const child = spawnOwned(
        serverBinary,
        ['--root', root, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start', '--service', service],
        log,
      );
      child.once('exit', (code, signal) => {
        if (!deliberate.has(child))
          died.push(`the ${service} process exited (${signal ?? `code ${code}`}); see ${log}`);
      });
      processes.set(service, child);
    };
    const stopService = (service: ClusterService, signal: NodeJS.Signals) => {
      const child = processes.get(service) as ChildProcess;
      deliberate.add(child);
      return stopChild(child, signal);
    };
    cleanup.unshift(async () => {
      // The frontend first, so nothing new comes in; history last, after the services that call it.
      for (const service of ['frontend', 'worker', 'matching', 'history'] as const) {
        if (processes.has(service)) await stopService(service, 'SIGTERM');
      }
    });

    const address = `127.0.0.1:${ports.services.frontend.grpc}`;
    const connect = async () => {
      let connection: Connection | undefined;
      await until(
        'the Temporal frontend',
        async () => {
          connection = await Connection.connect({ address, connectTimeout: 2000 });
        },
        START_TIMEOUT_MS,
        failed,
      );
      return connection as Connection;
    };
    // The search attributes are registered through a frontend alone, then every service starts: each caches them for
    // a minute from its start, so one started before they were added would refuse them for up to that minute.
    progress(`starting the frontend alone (${address}) to register the namespace and the search attributes`);
    startService('frontend');
    const setupConnection = await connect();
    try {
      await registerNamespace(setupConnection, failed);
    } finally {
      await setupConnection.close();
    }
    await stopService('frontend', 'SIGTERM');

    progress(`starting the services, each a process: ${CLUSTER_SERVICES.join(', ')}`);
    for (const service of CLUSTER_SERVICES) startService(service);
    const connection = await connect();
    cleanup.unshift(() => connection.close());
    const probeId = randomUUID();
    await until('the history service', () => probe(connection, 'history', probeId), START_TIMEOUT_MS, failed);
    await until('the matching service', () => probe(connection, 'matching', probeId), START_TIMEOUT_MS, failed);
    progress(
      `cluster up: ${CLUSTER_SERVICES.map((s) => `${s} pid ${processes.get(s)?.pid}`).join(', ')}; their output in ${dir}`,
    );

    const postgresVersion = /\d+(\.\d+)*/.exec(
      spawnSync(join(pgBin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout,
    )?.[0];
    return {
      address,
      description:
        `server ${CLUSTER_SERVER_VERSION}, a process each: ${CLUSTER_SERVICES.join(', ')}; ` +
        `PostgreSQL ${postgresVersion ?? '?'}; ${HISTORY_SHARDS} history shards`,
      restartService: async (service) => {
        const killedAt = performance.now();
        await stopService(service, 'SIGKILL');
        startService(service);
        await until(
          `the ${service} service after its restart`,
          () => probe(connection, service, probeId),
          300_000,
          failed,
        );
        return performance.now() - killedAt;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function registerNamespace(connection: Connection, failed: () => string | undefined): Promise<void> {
  await until(
    'namespace registration',
    async () => {
      try {
        await connection.workflowService.registerNamespace({
          namespace: NAMESPACE,
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        });
      } catch (error) {
        if (grpcCode(error) !== GRPC_ALREADY_EXISTS) throw error;
      }
    },
    START_TIMEOUT_MS,
    failed,
  );
  const searchAttributes = Object.fromEntries(
    searchAttributeKeys.map((key) => [
      key.name,
      temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
    ]),
  );
  // Until the frontend's namespace cache has the new namespace, it is not found.
  await until(
    'search attribute registration',
    () => connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes }),
    START_TIMEOUT_MS,
    failed,
  );
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
  const missing = searchAttributeKeys.filter((key) => customAttributes[key.name] !== searchAttributes[key.name]);
  if (missing.length) throw new Error(`search attributes not registered: ${missing.map((k) => k.name).join(', ')}`);
}

/**
 * Resolves once the service answers through the frontend: history for an unknown run of each of a few ids (NotFound
 * comes from the shard that owns it), matching for a task queue.
 */
async function probe(connection: Connection, service: ClusterService, probeId: string): Promise<void> {
  const deadline = Date.now() + 3000;
  if (service === 'matching') {
    await connection.withDeadline(deadline, () =>
      connection.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name: `probe-${probeId}` } }),
    );
    return;
  }
  await Promise.all(
    Array.from({ length: HISTORY_SHARDS * 4 }, async (_, i) => {
      try {
        await connection.withDeadline(deadline, () =>
          connection.workflowService.describeWorkflowExecution({
            namespace: NAMESPACE,
            execution: { workflowId: `probe-${probeId}-${i}` },
          }),
        );
      } catch (error) {
        if (grpcCode(error) !== GRPC_NOT_FOUND) throw error;
      }
    }),
  );
}
