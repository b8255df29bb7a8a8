import { startWorkerProcess, type WorkerProcess } from '../bench/processes';

/**
 * Worker processes as a supervisor (systemd, Kubernetes) runs them: `node lib/worker.js` (the bench's
 * `startWorkerProcess`), and a dead one replaced at once. The chaos run kills them; the pool brings them back and
 * keeps everything they wrote.
 */

export interface WorkerPool {
  /** Spawns `size` workers and resolves once each says it started. */
  start(): Promise<void>;
  /** Live worker pids. */
  pids(): number[];
  /** SIGKILLs `pid` and resolves once it is gone (its replacement is spawned right after). */
  kill(pid: number): Promise<void>;
  /** Exits nobody asked for (e.g. a worker giving up while Temporal restarts); each was replaced too. */
  unexpectedExits(): number;
  /** Everything every worker process wrote to stdout and stderr, killed ones included. */
  output(): string;
  /** SIGTERM to all, SIGKILL after `graceMs`; no more replacements. */
  stop(graceMs?: number): Promise<void>;
}

export function createWorkerPool(options: {
  size: number;
  env: NodeJS.ProcessEnv;
  progress?: (line: string) => void;
}): WorkerPool {
  const slots: WorkerProcess[] = [];
  const killed = new Set<number>();
  const chunks: string[] = [];
  let unexpected = 0;
  let stopping = false;

  const spawnInto = (index: number): Promise<void> => {
    const worker = startWorkerProcess(options.env);
    // All of it, for the secrets scan (the process object keeps only its first megabyte).
    const collect = (chunk: Buffer) => chunks.push(chunk.toString());
    worker.child.stdout?.on('data', collect);
    worker.child.stderr?.on('data', collect);
    void worker.exited.then(({ code, signal }) => {
      const pid = worker.child.pid ?? -1;
      if (stopping) return;
      if (!killed.delete(pid)) {
        unexpected += 1;
        options.progress?.(`worker ${pid} exited on its own (${signal ?? `code ${code}`}); replacing it`);
      }
      // A pause, so a worker that cannot connect (Temporal restarting) does not spin.
      setTimeout(() => {
        if (!stopping) void spawnInto(index).catch(() => undefined);
      }, 500);
    });
    slots[index] = worker;
    return worker.started();
  };

  return {
    start: async () => {
      await Promise.all(Array.from({ length: options.size }, (_, i) => spawnInto(i)));
    },
    pids: () =>
      slots
        .filter(({ child }) => child.exitCode === null && child.signalCode === null)
        .map(({ child }) => child.pid ?? -1),
    kill: async (pid) => {
      const worker = slots.find(({ child }) => child.pid === pid);
      if (!worker) return;
      killed.add(pid);
      await worker.stop('SIGKILL');
    },
    unexpectedExits: () => unexpected,
    output: () => chunks.join(''),
    stop: async (graceMs = 15_000) => {
      stopping = true;
      await Promise.all(
        slots.map(async (worker) => {
          const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
          await worker.stop('SIGTERM');
          clearTimeout(timer);
        }),
      );
    },
  };
}

/** The pid in a worker's default identity (`<pid>@<host>`), as `describe()` shows who runs an activity. */
export function pidOfIdentity(identity: string | null | undefined): number | undefined {
  const pid = Number(identity?.split('@')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
