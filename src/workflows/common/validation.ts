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

/**
 * Validates without throwing (a workflow task must never fail on bad input), naming every bad field with the rule
 * it broke in words a person reads. The one validation every caller uses: the workflows, the client, the CLI.
 */
export function validateWith<S extends z.ZodType>(schema: S, input: unknown): Validation<z.output<S>> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, request: parsed.data };
  const problems: InvalidField[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        problems.push({ field: fieldName([...issue.path, key]), problem: 'is not a known field' });
    } else {
      problems.push({ field: fieldName(issue.path), problem: ruleOf(issue) });
    }
  }
  return { ok: false, problems };
}

/** The rule an issue broke: the schema's own message where it wrote one, else zod's code spelled out; then the value given. */
function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value'))
    return 'is required';
  const given =
    issue.input === undefined ? '' : ` (got ${clipped(JSON.stringify(issue.input) ?? String(issue.input))})`;
  switch (issue.code) {
    case 'invalid_type':
      return `must be a ${issue.expected}${given}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}${given}`;
    case 'too_small':
      return issue.message.startsWith('Too small')
        ? `must be at least ${String(issue.minimum)}${given}`
        : `${issue.message}${given}`;
    case 'too_big':
      return issue.message.startsWith('Too big')
        ? `must be at most ${String(issue.maximum)}${given}`
        : `${issue.message}${given}`;
    default:
      return `${issue.message}${given}`;
  }
}

/** A value quoted in a message stays short: a whole object or list given in the wrong place is not repeated. */
function clipped(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `Invalid purchase request: items[0].quantity must be ...; customerId must be a GUID` */
export function describeInvalid(what: string, problems: readonly InvalidField[]): string {
  return `Invalid ${what}: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`;
}

/** The non-retryable failure of a bad request: every bad field named in the message, the list in the details. */
export function invalidRequest(type: string, what: string, problems: readonly InvalidField[]): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: describeInvalid(what, problems),
    details: [problems],
    nonRetryable: true,
  });
}
