import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { describeInvalid, validateWith } from '../client';
import { InvalidRequestError } from './problems';

/**
 * Validates the parts of a request (path, headers, query, an update's body) with the workflows' own validation,
 * so a bad field is named and worded as the CLI and the workflows name it; a path or header field is prefixed
 * with where it is (`path requestId`, `headers idempotency-key`). The bodies of `selfValidated` routes
 * (`METHOD url`) pass as given: their handler validates them with the workflow's validator.
 */
export function validatorCompiler(selfValidated: ReadonlySet<string>): FastifySchemaCompiler<z.ZodType> {
  return ({ schema, httpPart, method, url }) => {
    if (httpPart === 'body' && selfValidated.has(`${method} ${url}`)) return (data: unknown) => ({ value: data });
    return (data: unknown) => {
      const validation = validateWith(schema, data);
      if (validation.ok) return { value: validation.request };
      const where = httpPart === 'body' ? '' : `${httpPart === 'params' ? 'path' : httpPart} `;
      const errors = validation.problems.map((p) => ({ field: `${where}${p.field}`, problem: p.problem }));
      return { error: new InvalidRequestError('InvalidRequest', describeInvalid('request', errors), errors) };
    };
  };
}
