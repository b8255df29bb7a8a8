/** Token buckets per partner tenant and per (partner, customer): `perMinute` requests, refilled
 * continuously on the sandbox clock (api-throttling-guidance.md; 500/min for orders and subscriptions). */

export interface ThrottleLimits {
  partnerPerMinute: number;
  customerPerMinute: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = { partnerPerMinute: 500, customerPerMinute: 500 };

export interface Throttle {
  limits: ThrottleLimits;
  /** Takes one token from each bucket; returns the seconds to wait when one is empty. */
  take(partnerTenantId: string, customerId: string | undefined, now: number): number | undefined;
  reset(limits?: Partial<ThrottleLimits>): void;
}

export function createThrottle(initial: ThrottleLimits = DEFAULT_THROTTLE_LIMITS): Throttle {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  const throttle: Throttle = {
    limits: { ...initial },
    take: (partnerTenantId, customerId, now) => {
      const keys: Array<[string, number]> = [[`partner:${partnerTenantId}`, throttle.limits.partnerPerMinute]];
      if (customerId) keys.push([`customer:${partnerTenantId}:${customerId}`, throttle.limits.customerPerMinute]);
      const states = keys.map(([key, perMinute]) => {
        const bucket = buckets.get(key) ?? { tokens: perMinute, updatedAt: now };
        const refilled = Math.min(perMinute, bucket.tokens + ((now - bucket.updatedAt) * perMinute) / 60_000);
        return { key, perMinute, tokens: refilled };
      });
      const empty = states.filter((s) => s.tokens < 1);
      if (empty.length) {
        for (const s of states) buckets.set(s.key, { tokens: s.tokens, updatedAt: now });
        return Math.max(...empty.map((s) => Math.ceil(((1 - s.tokens) * 60) / s.perMinute)), 1);
      }
      for (const s of states) buckets.set(s.key, { tokens: s.tokens - 1, updatedAt: now });
      return undefined;
    },
    reset: (limits) => {
      buckets.clear();
      throttle.limits = { ...initial, ...limits };
    },
  };
  return throttle;
}
