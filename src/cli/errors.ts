import { failureReport as runFailureReport, type FailureReport } from '../client/failures';

/** A command line the CLI cannot act on (exit 2): every problem, each naming its flag and the rule. */
export class UsageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'UsageError';
  }
}

/** A request the CLI could not carry out for a reason it knows (exit 1): the client's run failure, shared with the HTTP API. */
export { RunFailure as CliFailure, type FailureReport } from '../client/failures';

/** What `pcw` prints for a failure: `--json` carries it as `{ error: { type, message, details } }`. */
export function failureReport(error: unknown): FailureReport {
  if (error instanceof UsageError) return { type: 'UsageError', message: error.message, details: error.problems };
  return runFailureReport(error);
}

/** Exit status of an error: 2 for a usage error (nothing was attempted), 1 for every other failure. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}
