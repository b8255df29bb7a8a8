import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

/** One bad field of a workflow input, named the way a caller writes it (`items[0].offer.skuId`). */
export interface InvalidField {
  field: string;
  problem: string;
}

export type Validation<T> = { ok: true; request: T } | { ok: false; problems: InvalidField[] };

function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    name += typeof part === 'number' ? `[${part}]` : `${name === '' ? '' : '.'}${String(part)}`;
  }
  return name === '' ? 'request' : name;
}

/** Validates without throwing (a workflow task must never fail on bad input), naming every bad field. */
export function validateWith<S extends z.ZodType>(schema: S, input: unknown): Validation<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  const problems: InvalidField[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ field: fieldName([...issue.path, key]), problem: 'is not a known field' });
    } else {
      problems.push({ field: fieldName(issue.path), problem: issue.message });
    }
  }
  return { ok: false, problems };
}

/** `Invalid purchase request: items[0].quantity must be ...; customerId must be a GUID` */
export function describeInvalid(what: string, problems: readonly InvalidField[]): string {
  return `Invalid ${what}: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`;
}

/** The non-retryable failure of a bad request: every bad field named in the message, the list in the details. */
export function invalidRequest(type: string, what: string, problems: readonly InvalidField[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message: describeInvalid(what, problems), details: [problems], nonRetryable: true });
}
