/**
 * Bodies against their zod schemas: an answer that does not fit is a response-shape error naming where, and a
 * request body we build is checked before it leaves.
 */
import type { z } from 'zod';
import { PartnerCenterInvalidRequestError, PartnerCenterResponseShapeError } from '../errors';
import { anyCase, collectionSchema } from '../schemas';
import type { RequestOptions } from '../types';
import type { HttpRequest, HttpResponse, PartnerCenterConnection } from './exchange';
import { send } from './send';

/** One call, its answer parsed against `schema`. */
export async function requestJson<S extends z.ZodType>(
  connection: PartnerCenterConnection,
  schema: S,
  request: HttpRequest,
  o?: RequestOptions,
): Promise<z.infer<S>> {
  return parseBody(schema, await send(connection, request, o), request.path);
}

export function getJson<S extends z.ZodType>(
  connection: PartnerCenterConnection,
  schema: S,
  request: Omit<HttpRequest, 'method'>,
  o?: RequestOptions,
): Promise<z.infer<S>> {
  return requestJson(connection, schema, { method: 'GET', ...request }, o);
}

/** The items of a single-page collection whose property names may come in either case. */
export async function getAnyCaseItems<S extends z.ZodType>(
  connection: PartnerCenterConnection,
  item: S,
  request: Omit<HttpRequest, 'method'>,
  o?: RequestOptions,
): Promise<z.infer<S>[]> {
  return (await getJson(connection, anyCase(collectionSchema(item)), request, o)).items;
}

export function parseBody<S extends z.ZodType>(schema: S, response: HttpResponse, path: string): z.infer<S> {
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return parsed.data;
  throw new PartnerCenterResponseShapeError({
    status: response.status,
    requestId: response.requestId,
    description: `Unexpected response shape from ${path}: ${describeIssues(parsed.error)}`,
  });
}

/** A request body we build, checked before it leaves: a mistake is ours, never Partner Center's to find. */
export function strictBody<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new PartnerCenterInvalidRequestError({ description: `Invalid ${what}: ${describeIssues(parsed.error)}` });
  }
  return parsed.data;
}

/** Where and what, never the offending value (it could be anything the server sent). */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > shown.length ? ` (+${error.issues.length - shown.length} more)` : '';
  return `${shown.join('; ')}${more}`;
}
