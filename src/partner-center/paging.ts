/**
 * Where the next page of a Partner Center collection is. Two styles exist (reference §2.4):
 * seek paging — `links.next` carries a relative URI and an `MS-ContinuationToken` header, and the
 * next call adds `seekOperation=Next` — and offset paging (`size`/`offset`, invoices).
 */
import type { Link } from './schemas';

export interface PageRequest {
  /** Path relative to `/v1`, with its query string. */
  pathAndQuery: string;
  headers: Record<string, string>;
}

export const CONTINUATION_HEADER = 'MS-ContinuationToken';

/**
 * The request for the page after one whose envelope had `next` (undefined: last page), carrying
 * the continuation token from the link's headers or else from the envelope.
 * Absolute next links are reduced to their path so the bearer token is only ever sent to the
 * configured Partner Center host.
 */
export function nextSeekPage(next: Link | undefined, continuationToken?: string): PageRequest | undefined {
  if (!next || next.uri.trim() === '') return undefined;
  const url = new URL(next.uri, 'http://relative.invalid/v1/');
  let path = url.pathname;
  if (path === '/v1' || path.startsWith('/v1/')) path = path.slice(3);
  const headers: Record<string, string> = {};
  for (const { key, value } of next.headers ?? []) headers[key] = value;
  let hasToken = Object.keys(headers).some((key) => key.toLowerCase() === CONTINUATION_HEADER.toLowerCase());
  // Some collections carry the token only in the envelope's `continuationToken`.
  if (!hasToken && continuationToken) {
    headers[CONTINUATION_HEADER] = continuationToken;
    hasToken = true;
  }
  const hasSeek = [...url.searchParams.keys()].some((key) => key.replace(/_/g, '').toLowerCase() === 'seekoperation');
  if (hasToken && !hasSeek) url.searchParams.set('seekOperation', 'Next');
  return { pathAndQuery: `${path || '/'}${url.search}`, headers };
}

/** Offset paging: the next offset, or undefined once a page came back short (or empty). */
export function nextOffset(offset: number, size: number, received: number): number | undefined {
  return received === 0 || received < size ? undefined : offset + received;
}
