import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { InvalidField } from '../client';

/**
 * Errors as RFC 9457 problem details (`application/problem+json`): `type` names the failure (a workflow's failure
 * type where there is one, so a caller branches on the same names as `pcw --json`), `errors` lists every bad field.
 */
export const ProblemSchema = z
  .object({
    type: z.string().describe('urn:pcw:problem:{failure type}, e.g. urn:pcw:problem:InvalidPurchaseRequest'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z
      .array(z.object({ field: z.string(), problem: z.string() }))
      .optional()
      .describe('every bad field, named as in the request body (items[0].quantity) or as the header or path part'),
    details: z.unknown().optional().describe("the failure's details (a workflow failure's, an update's refusal)"),
  })
  .describe('RFC 9457 problem details');

export type Problem = z.infer<typeof ProblemSchema>;

/** A request the API answers with a problem: thrown by handlers and hooks, answered by the error handler. */
export class ProblemError extends Error {
  constructor(
    readonly statusCode: number,
    /** The failure type: `InvalidPurchaseRequest`, `NotFound`, `UpdateRejected`… */
    readonly type: string,
    message: string,
    readonly extra: { errors?: readonly InvalidField[]; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'ProblemError';
  }
}

/** Bad fields of one part of a request, raised by the validator compiler with the workflows' own wording. */
export class InvalidRequestError extends ProblemError {
  constructor(type: string, message: string, errors: readonly InvalidField[]) {
    super(400, type, message, { errors });
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: ProblemError): FastifyReply {
  const body: Problem = {
    type: `urn:pcw:problem:${error.type}`,
    title: TITLES[error.statusCode] ?? 'Error',
    status: error.statusCode,
    detail: error.message,
    instance: request.url,
    ...(error.extra.errors !== undefined ? { errors: [...error.extra.errors] } : {}),
    ...(error.extra.details !== undefined ? { details: error.extra.details } : {}),
  };
  if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="partner-center-worker"');
  return reply.code(error.statusCode).type('application/problem+json').send(body);
}

/**
 * Every error as a problem: ours as thrown, Fastify's own 4xx (unparsable JSON, wrong media type, body too large)
 * with their message, anything else a 500 whose detail says nothing of the inside (the log has it).
 */
export function problemOf(error: FastifyError | Error): ProblemError {
  if (error instanceof ProblemError) return error;
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new ProblemError(status, (error as FastifyError).code ?? 'BadRequest', error.message);
  return new ProblemError(500, 'InternalError', 'the request failed inside the API; its log has the reason');
}
