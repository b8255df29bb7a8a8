import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed workflow histories (recorded with PCW_RECORD_HISTORIES=1) that every bundle must replay. */
export const historiesDir = join(__dirname, '..', 'fixtures', 'histories');

export const historyFixtures: string[] = readdirSync(historiesDir)
  .filter((file) => file.endsWith('.json'))
  .sort();

export interface RecordedHistory {
  events: Array<{ workflowExecutionStartedEventAttributes?: { workflowId?: string } }>;
}

export function historyOf(file: string): RecordedHistory {
  return JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as RecordedHistory;
}

/** The id the run had: a run's commands may name it (its webhook delivery workflows' ids derive from it). */
export function workflowIdOf(file: string): string {
  return historyOf(file).events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? file.replace(/\.json$/, '');
}
