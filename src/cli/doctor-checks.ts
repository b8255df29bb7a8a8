/** What every `pcw doctor` check reports: a named line, ok, failed with its fix, a warning (not a failure) with its fix, or skipped with why. */

export type CheckStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export type Outcome = Omit<Check, 'name'>;

export type RecordCheck = (name: string, outcome: Outcome) => void;

export const ok = (detail: string): Outcome => ({ status: 'ok', detail });
export const failed = (detail: string, fix: string): Outcome => ({ status: 'failed', detail, fix });
export const warning = (detail: string, fix: string): Outcome => ({ status: 'warning', detail, fix });
export const skipped = (detail: string): Outcome => ({ status: 'skipped', detail });

export function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
