import { z } from 'zod';
import { ApiError } from './errors';
import { parseWith } from './http';
import { changePrice } from './price-sheets';
import type { ControlRoute } from './control-route';

/** The control routes of the price sheets (docs/sandbox.md, Price sheets), matched beside control-routes.ts's own. */

/** A SKU's new monthly list price in USD (an annual commitment's; every term, plan and market follows from it). */
export const priceChangeSchema = z.object({
  productId: z.string().min(1),
  skuId: z.string().min(1),
  monthlyPriceUsd: z.number().min(0),
});

export const priceControlRoutes: ControlRoute[] = [
  {
    method: 'POST',
    template: '/_sandbox/prices',
    handle: ({ deps, body }) => {
      const change = parseWith(priceChangeSchema, body());
      const { world } = deps.runtime;
      if (!world.catalog.findSku(change.productId, change.skuId))
        throw new ApiError(404, 0, `SKU ${change.productId}:${change.skuId} is not in the sandbox catalog.`);
      changePrice(world, change.productId, change.skuId, change.monthlyPriceUsd);
      return { status: 200, body: change };
    },
  },
];
