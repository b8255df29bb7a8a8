import { parseArgs } from 'node:util';
import { plan } from '../../../src/cli/commands';
import { UsageError } from '../../../src/cli/errors';
import { OPTIONS } from '../../../src/cli/flags';

/** `pcw activities …` command lines: every problem named with its flag and rule, before Temporal is contacted. */

function problemsOf(argv: string[]): string[] {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...args] = positionals;
  try {
    plan(command, args, values);
  } catch (error) {
    if (error instanceof UsageError) return error.problems;
    throw error;
  }
  return [];
}

describe('pcw activities flags', () => {
  it('accepts a pause, a resume and the list of a registered activity type', () => {
    expect(problemsOf(['activities', 'pause', '--type', 'checkoutPurchaseCart', '--reason', 'PC degraded'])).toEqual(
      [],
    );
    expect(problemsOf(['activities', 'resume', '--type', 'checkoutPurchaseCart'])).toEqual([]);
    expect(problemsOf(['activities', 'paused'])).toEqual([]);
  });

  it('names every missing flag of a pause at once', () => {
    expect(problemsOf(['activities', 'pause'])).toEqual([
      '--type is required (an activity type, e.g. checkoutPurchaseCart)',
      '--reason is required: say why, for whoever resumes it',
    ]);
    expect(problemsOf(['activities', 'pause', '--type', ' ', '--reason', '  '])).toHaveLength(2);
  });

  it('refuses a type the worker does not register, and a local activity, naming the rule', () => {
    expect(problemsOf(['activities', 'pause', '--type', 'checkoutCart', '--reason', 'x'])).toEqual([
      '--type must be an activity type the worker registers, such as checkoutPurchaseCart (got "checkoutCart")',
    ]);
    expect(problemsOf(['activities', 'resume', '--type', 'getPurchaseSettings'])).toEqual([
      '--type getPurchaseSettings is a local activity (it runs inside the workflow task): only activity tasks can be paused',
    ]);
  });

  it('refuses a reason too long, flags that do not apply and unknown subcommands', () => {
    expect(problemsOf(['activities', 'pause', '--type', 'createPurchaseCart', '--reason', 'x'.repeat(501)])).toEqual([
      '--reason must be at most 500 characters (got 501)',
    ]);
    expect(problemsOf(['activities', 'resume', '--type', 'createPurchaseCart', '--reason', 'over'])).toEqual([
      '--reason does not apply to `pcw activities resume`',
    ]);
    expect(problemsOf(['activities', 'paused', '--type', 'createPurchaseCart'])).toEqual([
      '--type does not apply to `pcw activities paused`',
    ]);
    expect(problemsOf(['activities', 'paused', 'now'])).toEqual([
      'activities paused takes no arguments besides its flags (got "now")',
    ]);
    expect(problemsOf(['activities', 'stop', '--type', 'createPurchaseCart'])).toEqual([
      'activities takes `pause`, `resume` or `paused` (got "stop")',
    ]);
    expect(problemsOf(['activities'])).toEqual(['activities takes `pause`, `resume` or `paused`']);
    expect(problemsOf(['activities', 'pause', '--type', 'createPurchaseCart', '--reason', 'x', '--by', 'me'])).toEqual([
      '--by does not apply to `pcw activities`',
    ]);
  });
});
