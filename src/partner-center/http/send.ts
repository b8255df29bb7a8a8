/**
 * One logical Partner Center call (docs/seams.md §2): one MS-RequestId for all its exchanges (the caller's, so it
 * survives activity retries), one forced token refresh and a single repeat on 401, and every refusal classified
 * into the PartnerCenterError hierarchy.
 */
import { randomUUID } from 'node:crypto';
import { classifyHttpError, type PartnerCenterError } from '../errors';
import type { PartnerCenterLogger, RequestOptions } from '../types';
import {
  exchange,
  routeOf,
  type CallIds,
  type HttpRequest,
  type HttpResponse,
  type PartnerCenterConnection,
} from './exchange';
import { tokenRefusal, unauthorized } from './unauthorized';

/** The answer of a 2xx; anything else throws its PartnerCenterError. */
export async function send(
  connection: PartnerCenterConnection,
  request: HttpRequest,
  o?: RequestOptions,
): Promise<HttpResponse> {
  const { tokens } = connection;
  const ids = { requestId: o?.requestId ?? randomUUID(), correlationId: o?.correlationId ?? randomUUID() };
  let response = await exchange(connection, request, ids, await tokens.getAccessToken(), o?.signal);
  // A token without the MFA claim or for the retired audience comes back the same from a refresh: no second try.
  if (response.status === 401 && tokenRefusal(response) === undefined) {
    response = await exchange(connection, request, ids, await tokens.getAccessToken({ forceRefresh: true }), o?.signal);
  }
  if (response.status >= 200 && response.status < 300) return response;
  const error =
    response.status === 401
      ? unauthorized(response, ids, tokens)
      : classifyHttpError({
          status: response.status,
          body: response.body,
          retryAfter: response.headers.get('retry-after'),
          requestId: ids.requestId,
          correlationId: ids.correlationId,
        });
  logRefusal(connection.logger, routeOf(request), error, ids);
  throw error;
}

function logRefusal(
  logger: PartnerCenterLogger | undefined,
  route: string,
  error: PartnerCenterError,
  ids: CallIds,
): void {
  // 404s and busy 409s are routine while polling for eventually consistent orders: not warnings.
  const log = error.kind === 'not-found' || error.kind === 'conflict' ? logger?.debug : logger?.warn;
  log?.call(logger, 'Partner Center refused a call', {
    route,
    status: error.status,
    code: error.code,
    kind: error.kind,
    retryable: error.retryable,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  });
}
