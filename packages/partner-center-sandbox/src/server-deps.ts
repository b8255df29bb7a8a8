import type { ApiPolicy } from './api-policy';
import type { TokenAuthority } from './authority';
import { seedInvoices } from './billing';
import type { Faults } from './faults';
import type { GraphStore } from './graph';
import type { SandboxRuntime } from './router';
import type { Delays, Partner } from './state';
import type { Throttle } from './throttle';
import { resetEventState, type EventState } from './webhook-state';
import { createWorld } from './world';

/** What the API server, its control routes and the bearer check share: the running world and the
 * sandbox's moving parts, with the start options a reset goes back to. */

export interface ServerDeps {
  runtime: SandboxRuntime;
  authority: TokenAuthority;
  faults: Faults;
  throttle: Throttle;
  /** The Microsoft Graph billing host's export operations and blob store (routes/graph.ts). */
  graph: GraphStore;
  partners: Partner[];
  customerIds: Record<string, string[]>;
  initialDelays: Delays;
  initialPolicy: ApiPolicy;
  /** Partner Center webhooks: registration, validation events, activity log (webhook-state.ts). */
  events: EventState;
  /** Called after a request that may have changed state (persistence). */
  onChange?: () => void;
}

export function resetWorld(deps: ServerDeps, seed: number): void {
  const { runtime } = deps;
  runtime.clock.reset();
  runtime.world = createWorld(seed, deps.partners, deps.customerIds);
  seedInvoices(runtime.world, runtime.clock.now());
  Object.assign(runtime.delays, deps.initialDelays);
  Object.assign(runtime.policy, deps.initialPolicy);
  deps.faults.clear();
  deps.throttle.reset();
  deps.authority.reset();
  deps.graph.reset();
  resetEventState(deps.events);
  runtime.activityLog.length = 0;
}
