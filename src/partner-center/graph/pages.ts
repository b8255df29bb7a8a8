/**
 * Graph's OData collections: every page of one, following `@odata.nextLink` — only on the root the connection's
 * token is meant for (a next page elsewhere is refused, never sent that token).
 */
import { z } from 'zod';
import { PartnerCenterResponseShapeError } from '../errors';
import { optional } from '../schemas/common';
import { callGraph, readJson, type GraphCallOptions, type GraphConnection } from './api';

/** More pages than any collection read here has: a server that loops is refused. */
const MAX_PAGES = 1000;

/** An OData collection page (`value`, `@odata.nextLink`). */
export function odataPageSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    value: optional(z.array(item)).transform((items): z.infer<Item>[] => items ?? []),
    '@odata.nextLink': optional(z.string()),
  });
}

/** Every item of the collection at `path` (below the connection's root: `/users`, or a query such as `?$filter=…`). */
export async function readAllPages<S extends z.ZodType>(
  connection: GraphConnection,
  item: S,
  path: string,
  o?: GraphCallOptions,
): Promise<z.infer<S>[]> {
  const schema = odataPageSchema(item);
  const route = `GET ${connection.prefix}${path.split('?')[0]}`;
  const items: z.infer<S>[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next !== undefined; pages += 1) {
    if (pages === MAX_PAGES)
      throw new PartnerCenterResponseShapeError({
        description: `Microsoft Graph: more than ${MAX_PAGES} pages of ${connection.prefix}${path.split('?')[0]}`,
      });
    const page = await readJson(schema, await callGraph(connection, 'GET', next, undefined, o), route);
    items.push(...page.value);
    next = nextPath(connection, page['@odata.nextLink'], path);
  }
  return items;
}

/** The next page below the connection's root (`/…` or `?…`); a link anywhere else is refused. */
function nextPath(connection: GraphConnection, nextLink: string | undefined, path: string): string | undefined {
  if (nextLink === undefined) return undefined;
  const rest = nextLink.startsWith(connection.root) ? nextLink.slice(connection.root.length) : undefined;
  if (rest === undefined || !/^[/?]/.test(rest))
    throw new PartnerCenterResponseShapeError({
      description: `Microsoft Graph: the next page of ${connection.prefix}${path.split('?')[0]} is not on ${connection.root}; not following it with the connection's token`,
    });
  return rest;
}
