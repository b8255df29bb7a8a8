/**
 * A streamed CSV reader (RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF or
 * LF): chunks in, one callback per record, never more than one record held beyond the current chunk. A line without a
 * quote is split as it is (the common case, as fast as a plain split); only quoted records take the character loop. A
 * record with broken quoting, or longer than MAX_RECORD_CHARS (an unclosed quote), is reported as malformed and
 * skipped. csv-parse was the first choice, but a callback per record over plain splitting is several times faster,
 * and the price sheet's bench compares against exactly that (docs/benchmarks.md).
 */

const MAX_RECORD_CHARS = 64 * 1024;

export interface CsvHandlers {
  record(fields: string[]): void;
  malformed(): void;
}

export async function readCsv(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  handlers: CsvHandlers,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    carry = readRecords(text, handlers, false);
    if (carry.length > MAX_RECORD_CHARS) {
      handlers.malformed();
      carry = '';
    }
  }
  readRecords(carry + decoder.decode(), handlers, true);
}

/** Reads every complete record of `text`; answers what is left (a record not yet ended), or '' at the end. */
function readRecords(text: string, handlers: CsvHandlers, last: boolean): string {
  let start = 0;
  let quotes = 0;
  let searchFrom = 0;
  for (;;) {
    const newline = text.indexOf('\n', searchFrom);
    const end = newline === -1 ? text.length : newline;
    if (newline === -1 && !last) return text.slice(start);
    quotes += countQuotes(text, searchFrom, end);
    if (quotes % 2 === 1 && newline !== -1) {
      // A line break inside a quoted field: the record goes on.
      searchFrom = newline + 1;
      continue;
    }
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (quotes % 2 === 1) handlers.malformed();
    else if (line !== '') emit(line, quotes > 0, handlers);
    if (newline === -1) return '';
    start = searchFrom = newline + 1;
    quotes = 0;
  }
}

function countQuotes(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('"', from); at !== -1 && at < to; at = text.indexOf('"', at + 1)) count += 1;
  return count;
}

function emit(line: string, quoted: boolean, handlers: CsvHandlers): void {
  if (!quoted) return handlers.record(line.split(','));
  const fields = splitQuoted(line);
  if (fields === undefined) handlers.malformed();
  else handlers.record(fields);
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
