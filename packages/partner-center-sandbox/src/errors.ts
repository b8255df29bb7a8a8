/** Partner Center's error shapes: the PartnerFD body `{ code, description, data, source }` for
 * everything but throttling, which answers `{ statusCode, message }` (partner-center-api.md §2.5–2.6). */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly description: string,
    readonly headers: Record<string, string> = {},
    readonly data: unknown[] = [],
  ) {
    super(description);
  }

  body(): Record<string, unknown> {
    return { code: this.code, description: this.description, data: this.data, source: 'PartnerFD' };
  }
}

/** A refusal whose body says `isRetryable: false`, as Partner Center's agreement refusals do (600061). */
export class NonRetryableError extends ApiError {
  override body(): Record<string, unknown> {
    return { ...super.body(), isRetryable: false };
  }
}

/** A request the server cannot accept; `field` is named in the description so callers can fix it. */
export function badRequest(field: string, problem: string, code = 0): ApiError {
  return new ApiError(400, code, `The request is invalid: '${field}' ${problem}.`);
}

export function notFound(code: number, description: string): ApiError {
  return new ApiError(404, code, description);
}

export function throttledBody(retryAfterSeconds: number): { statusCode: number; message: string } {
  return { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.` };
}
