// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take any arguments
type ActivityOf<Deps> = (deps: Deps, ...args: any[]) => Promise<unknown>;

/** Each activity without its first parameter, the dependencies: what the worker registers and the workflows proxy. */
export type BoundActivities<A> = {
  [Name in keyof A]: A[Name] extends (deps: never, ...args: infer Args) => infer Result
    ? (...args: Args) => Result
    : never;
};

/**
 * Activities written as top-level functions that take their dependencies first, bound to them once: each keeps
 * its name (registered with Temporal, recorded in histories), the rest of its parameters and its result.
 */
export function bindActivities<Deps, A extends Record<string, ActivityOf<Deps>>>(
  deps: Deps,
  activities: A,
): BoundActivities<A> {
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    bound[name] = (...args: unknown[]) => activity(deps, ...args);
  }
  return bound as BoundActivities<A>;
}
