import { badRequest } from './errors';
import { header, link, queryValue, type ApiResponse, type RequestContext } from './http';

/** Seek paging as Partner Center does it for reconciliation lines and customers (partner-center-api.md §2.4):
 * `size`, then `links.next` with an `MS-ContinuationToken` header that the next call sends with `seekOperation=Next`. */

/** The `size` query value, `fallback` without one; a 400 outside 1..max. */
export function pageSize(ctx: RequestContext, fallback: number, max: number): number {
  const raw = queryValue(ctx.url, 'size');
  if (raw === undefined) return fallback;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > max)
    throw badRequest('size', `must be a whole number from 1 to ${max}`);
  return size;
}

interface Continuation {
  offset: number;
  scope: string;
}

const encodeToken = (c: Continuation) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** A token is only good for the query (`scope`) that issued it. */
function decodeToken(token: string, scope: string): Continuation {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Continuation>;
    if (typeof parsed.offset === 'number' && parsed.scope === scope) return { offset: parsed.offset, scope };
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('MS-ContinuationToken', 'is not a continuation token of this query');
}

/** One seek page of `items` (at most `maxSize`, the default too): the first from the query, later ones from `MS-ContinuationToken` + `seekOperation=Next`. */
export function seekPage(
  ctx: RequestContext,
  maxSize: number,
  items: unknown[],
  scope: string,
  nextUri: (size: number) => string,
): ApiResponse {
  const size = pageSize(ctx, maxSize, maxSize);
  const seek = queryValue(ctx.url, 'seekOperation');
  let offset = 0;
  if (seek !== undefined) {
    if (seek.toLowerCase() !== 'next') throw badRequest('seekOperation', "must be 'Next'");
    const token = header(ctx.headers, 'ms-continuationtoken');
    if (!token) throw badRequest('MS-ContinuationToken', 'header is required with seekOperation=Next');
    offset = decodeToken(token, scope).offset;
  }
  const page = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  const continuationToken = more ? encodeToken({ offset: offset + size, scope }) : undefined;
  return {
    status: 200,
    body: {
      totalCount: page.length,
      items: page,
      links: {
        self: link(ctx.url.pathname.replace(/^\/v1/i, '') + ctx.url.search),
        ...(continuationToken
          ? { next: link(nextUri(size), 'GET', [{ key: 'MS-ContinuationToken', value: continuationToken }]) }
          : {}),
      },
      ...(continuationToken ? { continuationToken } : {}),
      attributes: { objectType: 'Collection' },
    },
  };
}
