import { setFlagsFromString } from 'node:v8';

/**
 * V8 heap settings of a worker process, so a burst of starts does not need twice the memory of the runs it then holds
 * (docs/benchmarks.md, "Burst memory"). Without them, V8 lets each heap grow to a multiple of what survived its last
 * full collection: 300 purchases started at once took the main thread's heap to 165 MiB, 135 MiB of it garbage
 * (60 MiB live), and the process to 394 MiB.
 * - `--heap-growing-percent=20`: the next full collection comes when a heap is 1.2× what survived the last one
 *   (V8's default grows it up to 4× under a high allocation rate). V8 reads it at every collection, so setting it
 *   at start applies to the main thread's heap too. Costs more full collections (concurrent marking) in a burst.
 * - `--max-semi-space-size=8`: each young generation at most 2 × 8 MiB instead of 2 × 16 MiB. Read when a heap is
 *   created: it applies to the workflow thread (created by Worker.create) and, given on the command line
 *   (`npm run worker`), to the main thread. Smaller promotes more to the old generation (1 MiB did: +40 MiB old).
 */
export const WORKER_HEAP_FLAGS = ['--heap-growing-percent=20', '--max-semi-space-size=8'] as const;

/**
 * Applies WORKER_HEAP_FLAGS to this process's heaps; flags given on its command line afterwards win. Effective on
 * Node 20 only: Node 24's V8 ignores them once its heaps exist (test/unit/worker-memory.test.ts), so give them on the
 * command line there.
 */
export function applyWorkerHeapFlags(execArgv: readonly string[] = process.execArgv): void {
  const given = new Set(execArgv.map((arg) => arg.split('=')[0]!.replace(/_/g, '-')));
  for (const flag of WORKER_HEAP_FLAGS) if (!given.has(flag.split('=')[0]!)) setFlagsFromString(flag);
}
