import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { licenceWorkflowId, startLicenceAssignment, validateLicenceRequest, type LicenceRequest } from '../client';
import type { Action } from './action';
import { UsageError } from './errors';
import { Problems, type Values } from './flags';
import { runOf } from './runs';
import { startedOrAttached } from './start-commands';

/** `pcw licences assign|remove`: starts an assignLicences run (or attaches to it) and, with --wait, follows it. */

const LICENCE_FLAGS: Record<string, string> = {
  requestId: '--request-id',
  customerId: '--customer',
  subscriptionId: '--subscription',
};

export function planLicences(args: string[], values: Values): Action {
  const [verb, ...rest] = args;
  if ((verb !== 'assign' && verb !== 'remove') || rest.length > 0)
    throw new UsageError([`licences needs assign or remove${verb === undefined ? '' : ` (got "${args.join(' ')}")`}`]);
  const request = licenceRequestFromFlags(verb, values);
  return async ({ client, taskQueue, out }) => {
    const handle = await startLicenceAssignment(client, request, { taskQueue });
    const run = runOf('licences', licenceWorkflowId(request.requestId), client);
    await startedOrAttached(client, out, run, handle.newlyStarted, values.wait === true);
  };
}

/** The LicenceRequest of the flags: users from every --user and the --file, checked with the workflow's schema. */
function licenceRequestFromFlags(verb: 'assign' | 'remove', values: Values): LicenceRequest {
  const problems = new Problems();
  const users = [...(values.user ?? []), ...usersOfFile(values.file, problems)];
  if (users.length === 0 && values.file === undefined) problems.add('give the users with --user or --file', 'user');
  const request = {
    // Assigning is idempotent: a request without an id gets a fresh one, and repeating it changes nothing.
    requestId: values['request-id'] ?? `cli-${randomUUID()}`,
    customerId: values.customer,
    subscriptionId: values.subscription,
    assign: verb === 'assign' ? users : [],
    remove: verb === 'remove' ? users : [],
  };
  problems.validation(validateLicenceRequest(request), (field) => LICENCE_FLAGS[field] ?? userFlagOf(field, values));
  problems.done();
  return request as LicenceRequest;
}

/** `assign[3]` names the fourth user given: a --user, or a line of the --file after them. */
function userFlagOf(field: string, values: Values): string | undefined {
  const index = /^(?:assign|remove)\[(\d+)\]$/.exec(field)?.[1];
  if (index === undefined) return field === 'assign' || field === 'remove' ? '--user' : undefined;
  const given = values.user?.length ?? 0;
  return Number(index) < given
    ? `--user #${Number(index) + 1}`
    : `--file ${values.file ?? ''} user #${Number(index) - given + 1}`;
}

/** One user per line; blank lines and `#` comments are skipped. */
function usersOfFile(file: string | undefined, problems: Problems): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line !== '');
  } catch (error) {
    problems.add(
      `--file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return [];
  }
}
