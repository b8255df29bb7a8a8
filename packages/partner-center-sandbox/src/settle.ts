import { applyUpdate, completeOrder, renewOrExpire } from './lifecycle';
import { settleQualifications } from './onboarding';
import type { Delays, World } from './state';
import { settleTransitions } from './transitions';

/**
 * Time-driven state changes, applied lazily whenever the sandbox is asked anything: orders completing (and creating
 * subscriptions), accepted PATCHes landing, terms renewing or expiring, transitions moving seats, qualification reviews ending.
 */
export function settle(world: World, now: number, delays: Delays): void {
  for (const order of world.orders.values()) {
    if (order.status === 'pending' && order.completesAt <= now) completeOrder(world, order, delays);
  }
  for (const s of world.subscriptions.values()) {
    if (s.pendingUpdate && s.pendingUpdate.until <= now) {
      const { update, until } = s.pendingUpdate;
      s.pendingUpdate = undefined;
      applyUpdate(world, s, update, until);
    }
    renewOrExpire(world, s, now);
  }
  settleTransitions(world, now, delays);
  settleQualifications(world, now, delays);
}
