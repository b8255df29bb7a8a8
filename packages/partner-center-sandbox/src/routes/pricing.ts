import type { IncomingMessage } from 'node:http';
import { strToU8, zipSync } from 'fflate';
import { authenticate } from '../bearer-check';
import { COUNTRIES, type Country } from '../catalog';
import { ApiError } from '../errors';
import { header, queryValue, type ApiResponse } from '../http';
import { monthOf, priceSheetCsv, type PriceSheetView } from '../price-sheets';
import type { ServerDeps } from '../server-deps';

/**
 * The pricing host (`{origin}/pricing`, the sandbox's `pricingBaseUrl`): the license-based price sheets,
 * `GET /v1.0/sales/pricesheets(Market='US',PricesheetView='updatedlicensebased')/$value?timeline=current[&month=YYYYMM]`,
 * as CSV, or zipped when asked (`Accept: application/zip` or `$format=zip`). Its own token audience, App+User only:
 * a token for Partner Center is refused with 401 naming the audience expected.
 */

export const PRICING_PATH = '/pricing';
export const PRICING_RESOURCE = 'https://api.partner.microsoft.com';
/** The request counter's key (GET /_sandbox/counters). */
export const PRICE_SHEET_COUNTER = `GET ${PRICING_PATH}/v1.0/sales/pricesheets`;
const VIEWS: readonly PriceSheetView[] = ['updatedlicensebased', 'licensebasedeos'];
const SHEET_PATH = /^\/v1\.0\/sales\/pricesheets\(Market='([^']*)',PricesheetView='([^']*)'\)\/\$value$/i;

export function isPricingRequest(path: string): boolean {
  return path.startsWith(`${PRICING_PATH}/`);
}

export function servePricing(deps: ServerDeps, req: IncomingMessage, method: string, url: URL): ApiResponse {
  const path = decodeURIComponent(url.pathname.slice(PRICING_PATH.length));
  const match = SHEET_PATH.exec(path);
  if (!match) throw new ApiError(404, 0, `The resource ${url.pathname} was not found.`);
  if (method !== 'GET') throw new ApiError(405, 0, `The method ${method} is not allowed on ${url.pathname}.`);
  authenticate(deps, req, true, PRICING_RESOURCE);
  const { counters } = deps.runtime.world;
  counters.requests[PRICE_SHEET_COUNTER] = (counters.requests[PRICE_SHEET_COUNTER] ?? 0) + 1;
  const { market, view, month } = sheetRequest(match[1], match[2], url);
  const now = deps.runtime.clock.now();
  const csv = priceSheetCsv(deps.runtime.world, view, market, month ?? monthOf(now), now);
  const name = `${market}_${view}_${month ?? monthOf(now)}.csv`;
  if (wantsZip(req, url)) {
    const zip = zipSync({ [name]: strToU8(csv) });
    return {
      status: 200,
      body: Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength),
      headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${name}.zip"` },
    };
  }
  return {
    status: 200,
    body: Buffer.from(csv, 'utf8'),
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` },
  };
}

function sheetRequest(
  market: string,
  view: string,
  url: URL,
): { market: Country; view: PriceSheetView; month?: string } {
  const country = market.toUpperCase();
  if (!(country in COUNTRIES))
    throw new ApiError(400, 0, `Market '${market}' is not sold in the sandbox (${Object.keys(COUNTRIES).join(', ')}).`);
  const sheetView = VIEWS.find((v) => v === view.toLowerCase());
  if (!sheetView)
    throw new ApiError(400, 0, `PricesheetView '${view}' is not served by the sandbox (${VIEWS.join(', ')}).`);
  const timeline = queryValue(url, 'timeline');
  if (timeline?.toLowerCase() !== 'current')
    throw new ApiError(400, 0, `timeline must be 'current' in the sandbox (got '${timeline ?? ''}').`);
  const month = queryValue(url, 'month');
  if (month !== undefined && !/^\d{4}(0[1-9]|1[0-2])$/.test(month))
    throw new ApiError(400, 0, `month must be YYYYMM (got '${month}').`);
  return { market: country as Country, view: sheetView, month };
}

function wantsZip(req: IncomingMessage, url: URL): boolean {
  return (
    /application\/(x-)?zip/i.test(header(req.headers, 'accept') ?? '') ||
    queryValue(url, '$format')?.toLowerCase() === 'zip'
  );
}
