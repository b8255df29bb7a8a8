import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from 'partner-center-sandbox';
import { WORKER_HEAP_FLAGS } from '../../src/worker-memory';
import { REPOSITORY_ROOT } from '../repository-root';

/**
 * Worker processes as production runs them (`node lib/worker.js`), pointed at a sandbox: started, sampled (RSS and
 * CPU from /proc, so Linux only), killed. Used by the bench, the chaos run and the worker tests.
 */

/** The environment of `npm run worker` against `sandbox` and the Temporal at `address`, serving `taskQueue`. */
export function sandboxWorkerEnv(
  sandbox: Sandbox,
  temporal: { address: string; taskQueue: string },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    // No profile file of the machine's user may redirect the worker.
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: temporal.taskQueue,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the worker logged that it started; rejects if it exits first or after `timeoutMs`. */
  started(timeoutMs?: number): Promise<void>;
  /** Resident set size now, in bytes (0 once it exited). */
  rss(): number;
  /** CPU time used so far (user + system), in ms. */
  cpuMs(): number;
  /** SIGTERM (graceful: in-flight activities finish) or SIGKILL; resolves when it has exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The built worker, lib/worker.js, whether the bench runs built or from its sources (tests). */
const WORKER_ENTRY = join(REPOSITORY_ROOT, 'lib', 'worker.js');
/** Clock ticks per second of /proc/<pid>/stat's CPU fields (USER_HZ, 100 on every Linux build that matters). */
const USER_HZ = 100;

/**
 * Starts `node WORKER_HEAP_FLAGS [nodeFlags] lib/worker.js` (what `npm run worker` runs, with `nodeFlags` after, so
 * they win) with exactly `env` (plus PATH and HOME). Its log level is raised to `info` unless set, since `started()`
 * watches for the start line.
 */
export function startWorkerProcess(env: NodeJS.ProcessEnv, nodeFlags: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [...WORKER_HEAP_FLAGS, ...nodeFlags, WORKER_ENTRY], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
      ...env,
      LOG_LEVEL: env.LOG_LEVEL === 'warn' || env.LOG_LEVEL === 'error' ? 'info' : (env.LOG_LEVEL ?? 'info'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Only the start line and problems are kept: a long run's info logs would grow this process instead.
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < 1_000_000) output += text;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const proc = (file: string) => readFileSync(`/proc/${child.pid}/${file}`, 'utf8');
  return {
    child,
    output: () => output,
    exited,
    started(timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`worker did not start in ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          if (/"msg":"Worker started"/.test(output)) finish();
        };
        const finish = (error?: Error) => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          if (error) reject(error);
          else resolve();
        };
        child.stdout?.on('data', check);
        void exited.then(({ code, signal }) =>
          finish(new Error(`worker exited (${code ?? signal}) before it started:\n${output}`)),
        );
        check();
      });
    },
    rss() {
      if (!running()) return 0;
      const kib = /VmRSS:\s+(\d+) kB/.exec(proc('status'))?.[1];
      return Number(kib ?? 0) * 1024;
    },
    cpuMs() {
      if (!running()) return 0;
      // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
      const stat = proc('stat');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [utime, stime] = [Number(fields[11]), Number(fields[12])];
      return ((utime + stime) * 1000) / USER_HZ;
    },
    async stop(signal = 'SIGTERM') {
      if (running()) child.kill(signal);
      await exited;
    },
  };
}
