import type { ApiResponse } from './http';

/** MS-RequestId replay: a POST/PUT/PATCH/DELETE repeated with the same MS-RequestId (same partner,
 * method and path) within a day answers the stored response instead of acting again. */

interface ReplayEntry {
  at: number;
  response: ApiResponse;
}

export type ReplayStore = Map<string, ReplayEntry>;

const REPLAY_WINDOW_MS = 24 * 3_600_000;

/** The key a request's response is stored under; undefined when it is not replayable (a GET, no MS-RequestId). */
export function replayKey(
  request: { tenantId: string; requestId: string | undefined; method: string; path: string },
  enabled: boolean,
): string | undefined {
  return enabled && request.method !== 'GET' && request.requestId
    ? `${request.tenantId}|${request.requestId}|${request.method} ${request.path.toLowerCase()}`
    : undefined;
}

/** The stored response for `key`, unless it is older than the window. */
export function storedResponse(replay: ReplayStore, key: string | undefined, now: number): ApiResponse | undefined {
  const entry = key ? replay.get(key) : undefined;
  return entry && now - entry.at < REPLAY_WINDOW_MS ? entry.response : undefined;
}

/** Stores a replayable response and forgets those past the window (the Map keeps insertion order,
 * which is time order: the sandbox clock only moves forward between resets). */
export function remember(replay: ReplayStore, key: string, entry: ReplayEntry): void {
  for (const [oldKey, old] of replay) {
    if (entry.at - old.at < REPLAY_WINDOW_MS) break;
    replay.delete(oldKey);
  }
  replay.set(key, entry);
}
