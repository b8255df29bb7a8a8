import type { SandboxControl } from 'partner-center-sandbox';

/**
 * Longer than any one attempt of a Partner Center call can last: the client gives up after 30 s
 * (src/partner-center/client.ts), so the attempt fails and is retried while the sandbox still carries the request
 * out afterwards, as a slow Partner Center would.
 */
export const SLOW_CALL_MS = 35_000;

/** The share of all Partner Center calls each fault hits (issue 12); commit-then-drop on carts and checkouts. */
export const FAULT_SHARES = { serverError: 0.2, throttle: 0.1, slow: 0.05, commitThenDrop: 0.08 } as const;

/** Partner Center paths are /v1 plus 1 to 7 segments; one all-wildcard pattern per length covers every route. */
const ANY_PATH = Array.from({ length: 7 }, (_, i) => `/v1${'/*'.repeat(i + 1)}`);

/**
 * Installs the mix. Rules are tried in order and each draws on its own, so each ratio is the share of what the rules
 * before it let through: the shares above hold for the calls as a whole.
 */
export async function installFaultMix(control: SandboxControl): Promise<void> {
  const forever = 1_000_000_000;
  for (const path of ['/v1/customers/*/carts', '/v1/customers/*/carts/*/checkout']) {
    await control.addFault({
      method: 'POST',
      path,
      kind: 'commit-then-drop',
      ratio: FAULT_SHARES.commitThenDrop,
      count: forever,
    });
  }
  const { serverError, throttle, slow } = FAULT_SHARES;
  const afterErrors = 1 - serverError;
  for (const path of ANY_PATH) {
    // Half 500, half 503: 0.1 then 0.1 / 0.9 of the rest.
    await control.addFault({ path, kind: 'status', status: 500, ratio: serverError / 2, count: forever });
    await control.addFault({
      path,
      kind: 'status',
      status: 503,
      ratio: serverError / 2 / (1 - serverError / 2),
      count: forever,
    });
    await control.addFault({
      path,
      kind: 'throttle',
      retryAfterSeconds: 2,
      ratio: throttle / afterErrors,
      count: forever,
    });
    await control.addFault({
      path,
      kind: 'latency',
      latencyMs: SLOW_CALL_MS,
      ratio: slow / (afterErrors - throttle),
      count: forever,
    });
  }
}
