/**
 * Where the next page of a Partner Center collection is. Two styles exist (reference §2.4):
 * seek paging — `links.next` carries a relative URI and an `MS-ContinuationToken` header, and the
 * next call adds `seekOperation=Next` — and offset paging (`size`/`offset`, invoices).
 */
import { z } from 'zod';
import type { Link } from './schemas';

export const CONTINUATION_HEADER = 'MS-ContinuationToken';

/**
 * The page after one whose envelope had a next link: small and serialisable, so a caller can keep it
 * (e.g. in heartbeat details) and resume there. It holds only the link's path and its continuation
 * token — never other link headers, so nothing the server echoes (or our bearer token) is kept.
 */
export const seekCursorSchema = z.strictObject({
  /** Path relative to `/v1`, with its query string (including `seekOperation=Next` when a token is sent). */
  path: z.string().startsWith('/'),
  continuationToken: z.string().optional(),
});
export type SeekCursor = z.infer<typeof seekCursorSchema>;

/** The HTTP request for a page. */
export interface PageRequest {
  /** Relative to `/v1`, with its query string. */
  path: string;
  headers: Record<string, string>;
}

/**
 * The cursor of the page after one whose envelope had `next` (undefined: last page), carrying the
 * continuation token from the link's headers or else from the envelope.
 * Absolute next links are reduced to their path so the bearer token is only ever sent to the
 * configured Partner Center host.
 */
export function nextSeekPage(next: Link | undefined, continuationToken?: string): SeekCursor | undefined {
  if (!next || next.uri.trim() === '') return undefined;
  const url = new URL(next.uri, 'http://relative.invalid/v1/');
  let path = url.pathname;
  if (path === '/v1' || path.startsWith('/v1/')) path = path.slice(3);
  // Some collections carry the token only in the envelope's `continuationToken`.
  const token =
    next.headers?.find(({ key }) => key.toLowerCase() === CONTINUATION_HEADER.toLowerCase())?.value ??
    (continuationToken || undefined);
  const hasSeek = [...url.searchParams.keys()].some((key) => key.replace(/_/g, '').toLowerCase() === 'seekoperation');
  if (token !== undefined && !hasSeek) url.searchParams.set('seekOperation', 'Next');
  return { path: `${path || '/'}${url.search}`, ...(token !== undefined ? { continuationToken: token } : {}) };
}

/** The request that reads the page a cursor points at. */
export function seekPageRequest(cursor: SeekCursor): PageRequest {
  return {
    path: cursor.path,
    headers: cursor.continuationToken !== undefined ? { [CONTINUATION_HEADER]: cursor.continuationToken } : {},
  };
}

export function sameCursor(a: SeekCursor, b: SeekCursor): boolean {
  return a.path === b.path && a.continuationToken === b.continuationToken;
}

/** Offset paging: the next offset, or undefined once a page came back short (or empty). */
export function nextOffset(offset: number, size: number, received: number): number | undefined {
  return received === 0 || received < size ? undefined : offset + received;
}
