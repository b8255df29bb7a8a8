import { PartnerCenterResponseShapeError } from './errors';

/** What a reconciliation matches a charge line by: without them on any line, nothing can be matched. */
export const MATCHED_LINE_FIELDS = ['subscriptionId', 'quantity'] as const;
/** The keys of the first line are named in the error, at most this many (an export line has ~50). */
const KEYS_NAMED = 100;

interface MatchedFields {
  subscriptionId?: string | null;
  quantity?: number | null;
}

/**
 * Watches the lines of one blob (a Graph export) or one page (the v1 line items) for the fields a reconciliation
 * needs. Lines read under names we do not know parse as lines without those fields, and a report from them would
 * call every charge missing with full confidence; `verify` fails the read instead, naming what it looked for and
 * the keys it found.
 */
export class LineFieldCheck {
  private lines = 0;
  private withSubscription = 0;
  private withQuantity = 0;
  private keysFound: string[] | undefined;

  /** One line: as received (its keys, for the error) and as read (undefined when it did not parse). */
  see(received: unknown, line: MatchedFields | undefined): void {
    this.lines += 1;
    if (this.keysFound === undefined && typeof received === 'object' && received !== null)
      this.keysFound = Object.keys(received).slice(0, KEYS_NAMED);
    if (typeof line?.subscriptionId === 'string' && line.subscriptionId !== '') this.withSubscription += 1;
    if (typeof line?.quantity === 'number') this.withQuantity += 1;
  }

  /** Throws (not retryable) when lines were seen and none carried a subscription id, or none a quantity. */
  verify(where: string): void {
    const missing = [
      ...(this.withSubscription === 0 ? [MATCHED_LINE_FIELDS[0]] : []),
      ...(this.withQuantity === 0 ? [MATCHED_LINE_FIELDS[1]] : []),
    ];
    if (this.lines === 0 || missing.length === 0) return;
    const keys = this.keysFound?.length ? this.keysFound.join(', ') : 'none (the lines are not JSON objects)';
    const description =
      `${where}: none of its ${this.lines} lines carries ${missing.join(' or ')} ` +
      `(looked for ${MATCHED_LINE_FIELDS.join(', ')} in any casing); a report from them would call every charge ` +
      `missing. Keys found: ${keys}`;
    throw new PartnerCenterResponseShapeError({ description }, description);
  }
}
