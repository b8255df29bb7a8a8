import { proxyActivities } from '@temporalio/workflow';

/** What the dispatch-order tests' activity is told: which batch it belongs to, and its place in it. */
export interface DispatchedTask {
  batch: string;
  index: number;
}

export interface DispatchBatch {
  batch: string;
  count: number;
  priorityKey?: number;
  fairnessKey?: string;
}

/** Schedules `count` activities at once with the batch's priority and fairness key; they record their dispatch. */
export async function scheduleBatch({ batch, count, priorityKey, fairnessKey }: DispatchBatch): Promise<void> {
  const { recordDispatch } = proxyActivities<{ recordDispatch(task: DispatchedTask): Promise<void> }>({
    startToCloseTimeout: '1m',
    priority: { priorityKey, fairnessKey },
  });
  await Promise.all(Array.from({ length: count }, (_, index) => recordDispatch({ batch, index })));
}
