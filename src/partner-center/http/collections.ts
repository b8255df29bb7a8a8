/**
 * Seek-paged collections read over send (the cursor arithmetic is paging.ts): one page, every page in turn, or
 * every item. Each page is its own logical call, so only the first reuses the caller's MS-RequestId.
 */
import type { z } from 'zod';
import { PartnerCenterResponseShapeError } from '../errors';
import { nextSeekPage, sameCursor, seekPageRequest, type SeekCursor } from '../paging';
import { collectionSchema } from '../schemas';
import type { Page, RequestOptions } from '../types';
import type { HttpRequest, PartnerCenterConnection } from './exchange';
import { parseBody } from './json';
import { send } from './send';

/**
 * One seek page: `first` without a cursor, else the page the cursor points at. A server answering
 * with the very link it was asked for would loop forever, so that is refused.
 */
export async function seekPage<S extends z.ZodType>(
  connection: PartnerCenterConnection,
  item: S,
  first: HttpRequest,
  cursor: SeekCursor | undefined,
  o?: RequestOptions,
): Promise<Page<z.infer<S>>> {
  const request: HttpRequest = cursor === undefined ? first : { method: 'GET', ...seekPageRequest(cursor) };
  const response = await send(connection, request, o);
  const page = parseBody(collectionSchema(item), response, first.path);
  const next = nextSeekPage(page.links?.next, page.continuationToken);
  if (next !== undefined && cursor !== undefined && sameCursor(next, cursor)) {
    throw new PartnerCenterResponseShapeError({
      description: `Partner Center returned the same next-page link twice for ${first.path}`,
    });
  }
  const serverTime = serverTimeOf(response.headers);
  return {
    items: page.items,
    ...(next !== undefined ? { next } : {}),
    ...(serverTime !== undefined ? { serverTime } : {}),
  };
}

/** Yields each page's items, following `links.next` (seek paging) until there is none. */
export function seekPages<S extends z.ZodType>(
  connection: PartnerCenterConnection,
  item: S,
  first: HttpRequest,
  o?: RequestOptions,
): AsyncGenerator<z.infer<S>[]> {
  return followPages((cursor, options) => seekPage(connection, item, first, cursor, options), o);
}

/** Every item of a seek-paged collection read with GET. */
export async function listAll<S extends z.ZodType>(
  connection: PartnerCenterConnection,
  item: S,
  first: Omit<HttpRequest, 'method'>,
  o?: RequestOptions,
): Promise<z.infer<S>[]> {
  const all: z.infer<S>[] = [];
  for await (const page of seekPages(connection, item, { method: 'GET', ...first }, o)) all.push(...page);
  return all;
}

/** Yields each page's items, reading the page after each one by its cursor until there is none. */
export async function* followPages<T>(
  read: (cursor: SeekCursor | undefined, o?: RequestOptions) => Promise<Page<T>>,
  o?: RequestOptions,
): AsyncGenerator<T[]> {
  let cursor: SeekCursor | undefined;
  let options = o;
  do {
    const page = await read(cursor, options);
    yield page.items;
    cursor = page.next;
    // Each page is its own logical call: only the first reuses the caller's MS-RequestId.
    options = o && { ...o, requestId: undefined };
  } while (cursor !== undefined);
}

/** The items of every page, one by one. */
export async function* items<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

/** The HTTP `Date` header as an ISO timestamp, if there is a valid one. */
function serverTimeOf(headers: Headers): string | undefined {
  const at = Date.parse(headers.get('date') ?? '');
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}
