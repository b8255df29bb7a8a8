/**
 * A streamed CSV reader (RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF or
 * LF): chunks in, one callback per record, never more than one record held beyond the current chunk. A record is
 * handed over as the bounds of its cells in the chunk's text (CsvRecord, one object reused), so a reader of a few
 * columns copies only those: no string per cell, no array per record. Records without a quote (the common case) are
 * cut with indexOf alone; only a record holding a quote takes the quoted path. A record with broken quoting, or
 * longer than MAX_RECORD_CHARS (an unclosed quote), is reported as malformed and skipped. The price sheet's bench
 * compares this with a plain streamed split of the same bytes (docs/benchmarks.md).
 */

const MAX_RECORD_CHARS = 64 * 1024;

/** One record: its cells as bounds in `text` (valid only during the callback). */
export class CsvRecord {
  text = '';
  /** How many cells the record has. */
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);

  /** The cell's text ('' past the record's last cell). */
  field(column: number): string {
    return column < this.count ? this.text.slice(this.starts[column], this.ends[column]) : '';
  }

  fields(): string[] {
    return Array.from({ length: this.count }, (_, column) => this.field(column));
  }

  /** Narrows a cell's bounds to leave out surrounding spaces and tabs. */
  trim(column: number): void {
    let start = this.starts[column];
    let end = this.ends[column];
    while (start < end && isBlank(this.text.charCodeAt(start))) start += 1;
    while (end > start && isBlank(this.text.charCodeAt(end - 1))) end -= 1;
    this.starts[column] = start;
    this.ends[column] = end;
  }

  /** Sets the next cell's bounds, growing the bounds' arrays when a record is wider than any before. */
  push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count += 1;
  }
}

const isBlank = (code: number) => code === 32 || code === 9;

export interface CsvHandlers {
  record(record: CsvRecord): void;
  malformed(): void;
}

export async function readCsv(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  handlers: CsvHandlers,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  const record = new CsvRecord();
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    carry = readRecords(text, record, handlers, false);
    if (carry.length > MAX_RECORD_CHARS) {
      handlers.malformed();
      carry = '';
    }
  }
  readRecords(carry + decoder.decode(), record, handlers, true);
}

/** Reads every complete record of `text`; answers what is left (a record not yet ended), or '' at the end. */
function readRecords(text: string, record: CsvRecord, handlers: CsvHandlers, last: boolean): string {
  let start = 0;
  // The next quote from `start` on: a record before it has none (one search per quote, not per record).
  let quote = text.indexOf('"');
  for (;;) {
    const newline = text.indexOf('\n', start);
    if (newline === -1 && !last) return text.slice(start);
    const lineEnd = newline === -1 ? text.length : newline;
    if (quote !== -1 && quote < lineEnd) {
      const next = readQuotedRecord(text, start, record, handlers, last);
      if (next === -1) return last ? '' : text.slice(start);
      start = next;
      quote = text.indexOf('"', start);
      if (start >= text.length) return '';
      continue;
    }
    const end = lineEnd > start && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    if (end > start) {
      cutCells(text, start, end, record);
      handlers.record(record);
    }
    if (newline === -1) return '';
    start = newline + 1;
  }
}

/** The cells of an unquoted line [start, end). */
function cutCells(text: string, start: number, end: number, record: CsvRecord): void {
  record.text = text;
  record.count = 0;
  let from = start;
  for (;;) {
    const comma = text.indexOf(',', from);
    if (comma === -1 || comma >= end) {
      record.push(from, end);
      return;
    }
    record.push(from, comma);
    from = comma + 1;
  }
}

/**
 * Reads the record at `start` that holds a quote: up to the first line break outside quotes. Answers where the next
 * record starts, or -1 when the text ends inside the record (more chunks needed; at the end, it is malformed).
 */
function readQuotedRecord(
  text: string,
  start: number,
  record: CsvRecord,
  handlers: CsvHandlers,
  last: boolean,
): number {
  let quotes = 0;
  let from = start;
  for (;;) {
    const newline = text.indexOf('\n', from);
    const end = newline === -1 ? text.length : newline;
    for (let at = text.indexOf('"', from); at !== -1 && at < end; at = text.indexOf('"', at + 1)) quotes += 1;
    if (quotes % 2 === 1) {
      if (newline === -1) {
        if (last) handlers.malformed();
        return -1;
      }
      // A line break inside a quoted field: the record goes on.
      from = newline + 1;
      continue;
    }
    if (newline === -1 && !last) return -1;
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    const fields = splitQuoted(line);
    if (fields === undefined) handlers.malformed();
    else {
      record.text = fields.join(',');
      record.count = 0;
      let at = 0;
      for (const field of fields) {
        record.push(at, at + field.length);
        at += field.length + 1;
      }
      handlers.record(record);
    }
    return newline === -1 ? text.length : newline + 1;
  }
}

/** The fields of a record with quotes; undefined when a quoted field is followed by anything but a comma. */
export function splitQuoted(line: string): string[] | undefined {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (line.charCodeAt(at) !== 34) {
      const comma = line.indexOf(',', at);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(at, end));
      if (comma === -1) return fields;
      at = comma + 1;
      continue;
    }
    let value = '';
    let from = at + 1;
    for (;;) {
      const quote = line.indexOf('"', from);
      if (quote === -1) return undefined;
      value += line.slice(from, quote);
      if (line.charCodeAt(quote + 1) === 34) {
        value += '"';
        from = quote + 2;
        continue;
      }
      at = quote + 1;
      break;
    }
    fields.push(value);
    if (at === line.length) return fields;
    if (line.charCodeAt(at) !== 44) return undefined;
    at += 1;
  }
}
