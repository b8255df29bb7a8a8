/**
 * The license-based price sheets (partner-center-lifecycle.md, Price sheets) on their own host
 * (`PARTNER_PRICING_BASE_URL`) with their own token audience, App+User only. A sheet is streamed (CSV, or a zip holding
 * one) into an index (sheet.ts) and cached in the process per market, view and month: callers asking for the same
 * sheet while it is being read share that one fetch, so a market's sheet is fetched once a month whatever the load.
 * A failed read is not cached. Knows nothing of Temporal.
 */
import { randomUUID } from 'node:crypto';
import {
  classifyHttpError,
  PartnerCenterNetworkError,
  PartnerCenterTimeoutError,
  PartnerCenterUnauthorizedError,
  type PartnerCenterError,
} from '../errors';
import type { PartnerCenterLogger, TokenProvider } from '../types';
import { readPriceSheet, type PriceSheet } from './sheet';
import { unzippedChunks } from './zip';

export const DEFAULT_PRICING_BASE_URL = 'https://api.partner.microsoft.com';
/** The price sheets' audience: not Partner Center's (a token for https://api.partnercenter.microsoft.com gets 401). */
export const PRICING_AUDIENCE = 'https://api.partner.microsoft.com';
export const PRICING_SCOPE = `${PRICING_AUDIENCE}/.default`;
export type PriceSheetView = 'updatedlicensebased' | 'licensebasedeos';
const DEFAULT_TIMEOUT_MS = 120_000;

export interface PriceSheetClientOptions {
  /** The pricing host's root without /v1.0. */
  baseUrl: string;
  tokens: TokenProvider;
  /** For the whole download of one sheet. Default 120 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: PartnerCenterLogger;
  /** Ask for the sheet zipped (`Accept: application/zip`) rather than as CSV. */
  zip?: boolean;
  /** The clock that says which month is current (UTC). */
  now?: () => number;
}

export interface PriceSheetRequest {
  /** Two-letter country code. */
  market: string;
  view: PriceSheetView;
  signal?: AbortSignal;
}

export interface CachedPriceSheet extends PriceSheet {
  market: string;
  view: PriceSheetView;
  /** YYYYMM the sheet is for. */
  month: string;
}

export interface PriceSheetClient {
  /** This month's sheet of a market and view: from the cache, or read once for every caller. */
  sheet(request: PriceSheetRequest): Promise<CachedPriceSheet>;
  /** This month's sheet when it is cached or being read; undefined when answering would download it. */
  cached(request: PriceSheetRequest): Promise<CachedPriceSheet> | undefined;
  /** Empties the cache: the next request of every sheet reads it again (after a price change, in tests). */
  clear(): void;
  /** How many sheets were downloaded since the client was made. */
  readonly fetches: number;
}

export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7).replace('-', '');

export function createPriceSheetClient(options: PriceSheetClientOptions): PriceSheetClient {
  const now = options.now ?? Date.now;
  const cache = new Map<string, Promise<CachedPriceSheet>>();
  let fetches = 0;
  const keyOf = (request: PriceSheetRequest, month: string) =>
    `${request.market.toUpperCase()}/${request.view}/${month}`;
  return {
    cached: (request) => cache.get(keyOf(request, monthOf(now()))),
    sheet: (request) => {
      const market = request.market.toUpperCase();
      const month = monthOf(now());
      const key = keyOf(request, month);
      const cached = cache.get(key);
      if (cached) return cached;
      // A new month leaves last month's sheets behind.
      for (const old of cache.keys()) if (!old.endsWith(`/${month}`)) cache.delete(old);
      fetches += 1;
      const reading = downloadSheet(options, { ...request, market }, month).then(
        (sheet) => ({ ...sheet, market, view: request.view, month }),
        (error: unknown) => {
          cache.delete(key);
          throw error;
        },
      );
      cache.set(key, reading);
      return reading;
    },
    clear: () => cache.clear(),
    get fetches() {
      return fetches;
    },
  };
}

async function downloadSheet(
  options: PriceSheetClientOptions,
  request: PriceSheetRequest,
  month: string,
): Promise<PriceSheet> {
  const path = `/v1.0/sales/pricesheets(Market='${request.market}',PricesheetView='${request.view}')/$value`;
  const route = `GET ${path}`;
  const url = `${options.baseUrl.replace(/\/+$/, '')}${path}?timeline=current&month=${month}`;
  let response = await attempt(
    options,
    url,
    route,
    await options.tokens.getAccessToken({ scope: PRICING_SCOPE }),
    request.signal,
  );
  if (response.status === 401) {
    await response.body?.cancel();
    const fresh = await options.tokens.getAccessToken({ scope: PRICING_SCOPE, forceRefresh: true });
    response = await attempt(options, url, route, fresh, request.signal);
  }
  if (!response.ok) throw await refusal(options, response, route);
  if (!response.body) return readPriceSheet([], route);
  const isZip = /zip/i.test(response.headers.get('content-type') ?? '');
  const body = response.body as unknown as AsyncIterable<Uint8Array>;
  try {
    return await readPriceSheet(isZip ? unzippedChunks(body) : body, route);
  } finally {
    await response.body.cancel().catch(() => undefined);
  }
}

async function attempt(
  options: PriceSheetClientOptions,
  url: string,
  route: string,
  token: string,
  callerSignal: AbortSignal | undefined,
): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
  try {
    return await (options.fetch ?? fetch)(url, {
      headers: {
        Accept: options.zip ? 'application/zip' : 'text/csv',
        Authorization: `Bearer ${token}`,
        'MS-RequestId': randomUUID(),
        'MS-CorrelationId': randomUUID(),
      },
      signal,
    });
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason ?? error;
    const description = `${timeout.aborted ? 'No answer' : 'Could not reach the pricing host'} for ${route}`;
    throw timeout.aborted
      ? new PartnerCenterTimeoutError({ description, cause: error })
      : new PartnerCenterNetworkError({ description, cause: error });
  }
}

async function refusal(
  options: PriceSheetClientOptions,
  response: Response,
  route: string,
): Promise<PartnerCenterError> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text is the description.
  }
  const error = classifyHttpError({
    status: response.status,
    body,
    statusText: response.statusText,
    retryAfter: response.headers.get('retry-after'),
    requestId: response.headers.get('ms-requestid') ?? undefined,
    wwwAuthenticate: response.headers.get('www-authenticate'),
  });
  options.logger?.warn('The pricing host refused a call', { route, status: response.status });
  if (response.status === 403)
    return new PartnerCenterUnauthorizedError(
      { status: 403, code: error.code, description: error.description, requestId: error.requestId },
      `Unauthorized: the pricing host refused ${route} (HTTP 403: ${error.description}). The price sheets serve ` +
        'App+User tokens only (set PARTNER_CENTER_REFRESH_TOKEN) of an Admin Agent or Sales Agent.',
    );
  if (error instanceof PartnerCenterUnauthorizedError)
    return new PartnerCenterUnauthorizedError(
      { status: error.status, code: error.code, description: error.description, requestId: error.requestId },
      `Unauthorized: the pricing host refused the token for ${PRICING_AUDIENCE} on ${route} (HTTP 401: ${error.description}). ` +
        `The price sheets need an App+User token for the audience ${PRICING_AUDIENCE} (scope ${PRICING_SCOPE}), ` +
        'not one for Partner Center: grant the app that API and consent to it.',
    );
  return Object.assign(error, { message: `Pricing host: ${error.message} (${route})` });
}
