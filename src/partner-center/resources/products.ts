/** The catalog: products, their SKUs and the SKUs' availabilities, each listed (all pages) or read by id. */
import { pathSegment, type PartnerCenterConnection } from '../http/exchange';
import { listAll } from '../http/collections';
import { getJson } from '../http/json';
import { availabilitySchema, productSchema, skuSchema } from '../schemas';
import type { PartnerCenterClient } from '../types';

export type CatalogOperations = Pick<
  PartnerCenterClient,
  'listProducts' | 'getProduct' | 'listSkus' | 'getSku' | 'listAvailabilities' | 'getAvailability'
>;

export function catalogOperations(connection: PartnerCenterConnection): CatalogOperations {
  const skuPath = (productId: string, skuId: string) =>
    `/products/${pathSegment(productId)}/skus/${pathSegment(skuId)}`;
  return {
    listProducts: (q, o) =>
      listAll(
        connection,
        productSchema,
        { path: '/products', query: { country: q.country, targetView: q.targetView, targetSegment: q.targetSegment } },
        o,
      ),
    getProduct: (productId, q, o) =>
      getJson(
        connection,
        productSchema,
        { path: `/products/${pathSegment(productId)}`, query: { country: q.country } },
        o,
      ),
    listSkus: (productId, q, o) =>
      listAll(
        connection,
        skuSchema,
        {
          path: `/products/${pathSegment(productId)}/skus`,
          query: { country: q.country, targetSegment: q.targetSegment },
        },
        o,
      ),
    getSku: (productId, skuId, q, o) =>
      getJson(connection, skuSchema, { path: skuPath(productId, skuId), query: { country: q.country } }, o),
    listAvailabilities: (productId, skuId, q, o) =>
      listAll(
        connection,
        availabilitySchema,
        {
          path: `${skuPath(productId, skuId)}/availabilities`,
          query: { country: q.country, targetSegment: q.targetSegment },
        },
        o,
      ),
    getAvailability: (productId, skuId, availabilityId, q, o) =>
      getJson(
        connection,
        availabilitySchema,
        {
          path: `${skuPath(productId, skuId)}/availabilities/${pathSegment(availabilityId)}`,
          query: { country: q.country },
        },
        o,
      ),
  };
}
