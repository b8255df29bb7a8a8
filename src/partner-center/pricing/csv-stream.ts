/**
 * A streamed CSV reader over bytes (RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes,
 * CRLF or LF; a UTF-8 byte order mark at the start skipped): chunks in, one callback per record, never more than one
 * record held beyond the current chunk. Nothing is decoded: records and cells are found by their ASCII delimiters
 * (which never occur inside a multi-byte UTF-8 character, so a chunk may end anywhere), and a record is handed over as
 * the bounds of its cells in the reader's buffer (CsvRecord, one object reused), so a reader of a few columns decodes
 * only those (textOf). Records without a quote (the common case) are cut with indexOf alone; only a record holding a
 * quote takes the quoted path. A record with broken quoting, or longer than MAX_RECORD_BYTES (an unclosed quote), is
 * reported as malformed and skipped. The price sheet's bench compares this with a plain streamed split of the same
 * bytes (docs/benchmarks.md).
 */

const MAX_RECORD_BYTES = 256 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

// Each cell is decoded on its own: a byte order mark in one is text (the stream's own is skipped by the reader).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text of bytes [start, end): short ASCII (ids, codes) read directly, anything else through TextDecoder. */
export function textOf(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 12) return utf8.decode(bytes.subarray(start, end));
  // Up to 12 characters V8 builds flat strings from concatenation; longer ones become ropes.
  let text = '';
  for (let at = start; at < end; at += 1) {
    const code = bytes[at];
    if (code > 0x7f) return utf8.decode(bytes.subarray(start, end));
    text += String.fromCharCode(code);
  }
  return text;
}

/** Whether bytes [start, start + raw.length) are `raw`'s. */
export function sameBytes(raw: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (raw.length !== end - start) return false;
  for (let at = 0; at < raw.length; at += 1) if (raw[at] !== bytes[start + at]) return false;
  return true;
}

/** One record: its cells as bounds in `bytes` (valid only during the callback). */
export class CsvRecord {
  bytes: Uint8Array = new Uint8Array(0);
  /** How many cells the record has. */
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);

  /** The cell's text ('' past the record's last cell). */
  field(column: number): string {
    return column < this.count ? textOf(this.bytes, this.starts[column], this.ends[column]) : '';
  }

  fields(): string[] {
    return Array.from({ length: this.count }, (_, column) => this.field(column));
  }

  /** Narrows a cell's bounds to leave out surrounding spaces and tabs. */
  trim(column: number): void {
    let start = this.starts[column];
    let end = this.ends[column];
    while (start < end && isBlank(this.bytes[start])) start += 1;
    while (end > start && isBlank(this.bytes[end - 1])) end -= 1;
    this.starts[column] = start;
    this.ends[column] = end;
  }

  /** Sets the next cell's bounds. */
  push(start: number, end: number): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count += 1;
  }

  /** Doubles the bounds' arrays, for a record wider than any before. */
  grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
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
  const record = new CsvRecord();
  // The record carried from the last chunk, then the chunk: the reader's own bytes (a quoted field is unescaped in
  // place), reused from chunk to chunk.
  let buffer = Buffer.allocUnsafe(128 * 1024);
  let carried = 0;
  let started = false;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (carried + bytes.length > buffer.length) {
      const grown = Buffer.allocUnsafe(2 * (carried + bytes.length));
      buffer.copy(grown, 0, 0, carried);
      buffer = grown;
    }
    buffer.set(bytes, carried);
    const view = buffer.subarray(0, carried + bytes.length);
    const skip = started ? 0 : byteOrderMark(view, false);
    if (skip === -1) {
      carried = view.length;
      continue;
    }
    started = true;
    const rest = readRecords(view, skip, record, handlers, false);
    carried = view.length - rest;
    if (carried > MAX_RECORD_BYTES) {
      handlers.malformed();
      carried = 0;
    }
    buffer.copyWithin(0, rest, view.length);
  }
  const view = buffer.subarray(0, carried);
  readRecords(view, started ? 0 : byteOrderMark(view, true), record, handlers, true);
}

/** How many bytes of a byte order mark the stream starts with: 0 or 3; -1 when too few bytes have come to tell. */
function byteOrderMark(bytes: Uint8Array, last: boolean): number {
  const known = Math.min(bytes.length, BYTE_ORDER_MARK.length);
  for (let at = 0; at < known; at += 1) if (bytes[at] !== BYTE_ORDER_MARK[at]) return 0;
  if (known === BYTE_ORDER_MARK.length) return known;
  return last ? known : -1;
}

/** Reads every complete record of `bytes` from `from`; answers where what is left (a record not yet ended) starts. */
function readRecords(bytes: Buffer, from: number, record: CsvRecord, handlers: CsvHandlers, last: boolean): number {
  let start = from;
  // The next quote from `start` on: a record before it has none (one search per quote, not per record).
  let quote = bytes.indexOf(QUOTE, start);
  for (;;) {
    const newline = bytes.indexOf(LF, start);
    if (newline === -1 && !last) return start;
    const lineEnd = newline === -1 ? bytes.length : newline;
    if (quote !== -1 && quote < lineEnd) {
      const next = readQuotedRecord(bytes, start, record, handlers, last);
      if (next === -1) return start;
      start = next;
      if (start >= bytes.length) return bytes.length;
      quote = bytes.indexOf(QUOTE, start);
      continue;
    }
    const end = lineEnd > start && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (end > start) {
      cutCells(bytes, start, end, record);
      handlers.record(record);
    }
    if (newline === -1) return bytes.length;
    start = newline + 1;
  }
}

/** The cells of an unquoted line [start, end). */
function cutCells(bytes: Buffer, start: number, end: number, record: CsvRecord): void {
  record.bytes = bytes;
  // A loop over the line's bytes, with the bounds' arrays in locals, costs less than an indexOf call per cell.
  let { starts, ends } = record;
  let count = 0;
  let from = start;
  for (let at = start; at < end; at += 1) {
    if (bytes[at] !== COMMA) continue;
    if (count + 1 === starts.length) {
      record.count = count;
      record.grow();
      ({ starts, ends } = record);
    }
    starts[count] = from;
    ends[count] = at;
    count += 1;
    from = at + 1;
  }
  starts[count] = from;
  ends[count] = end;
  record.count = count + 1;
}

/**
 * Reads the record at `start` that holds a quote: up to the first line break after an even number of quotes. Answers
 * where the next record starts, or -1 when the bytes end inside the record (more chunks needed; at the end, it is
 * malformed).
 */
function readQuotedRecord(
  bytes: Buffer,
  start: number,
  record: CsvRecord,
  handlers: CsvHandlers,
  last: boolean,
): number {
  let quotes = 0;
  let from = start;
  for (;;) {
    const newline = bytes.indexOf(LF, from);
    const lineEnd = newline === -1 ? bytes.length : newline;
    for (let at = bytes.indexOf(QUOTE, from); at !== -1 && at < lineEnd; at = bytes.indexOf(QUOTE, at + 1)) quotes += 1;
    if (quotes % 2 === 1) {
      if (newline === -1) {
        if (!last) return -1;
        handlers.malformed();
        return bytes.length;
      }
      // A line break inside a quoted field: the record goes on.
      from = newline + 1;
      continue;
    }
    if (newline === -1 && !last) return -1;
    const end = lineEnd > start && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (splitQuoted(bytes, start, end, record)) handlers.record(record);
    else handlers.malformed();
    return newline === -1 ? bytes.length : newline + 1;
  }
}

/**
 * The cells of a whole record with quotes, [start, end) of `bytes`, into `record`; false when a quoted field is
 * followed by anything but a comma. A quoted field's doubled quotes are undone in place (its text moves left over
 * each one's first half), so `bytes` must be the reader's own.
 */
export function splitQuoted(bytes: Uint8Array, start: number, end: number, record: CsvRecord): boolean {
  record.bytes = bytes;
  record.count = 0;
  let at = start;
  for (;;) {
    if (at === end || bytes[at] !== QUOTE) {
      const comma = bytes.indexOf(COMMA, at);
      const cellEnd = comma === -1 || comma >= end ? end : comma;
      record.push(at, cellEnd);
      if (cellEnd === end) return true;
      at = cellEnd + 1;
      continue;
    }
    let write = at + 1;
    let read = at + 1;
    for (;;) {
      const quote = bytes.indexOf(QUOTE, read);
      if (quote === -1 || quote >= end) return false;
      if (write !== read) bytes.copyWithin(write, read, quote);
      write += quote - read;
      if (quote + 1 < end && bytes[quote + 1] === QUOTE) {
        bytes[write] = QUOTE;
        write += 1;
        read = quote + 2;
        continue;
      }
      record.push(at + 1, write);
      at = quote + 1;
      break;
    }
    if (at === end) return true;
    if (bytes[at] !== COMMA) return false;
    at += 1;
  }
}
