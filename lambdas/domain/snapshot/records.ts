import { type Options, Parser } from 'csv-parse';
import type { ColumnLayout, ColumnResolver } from './columns';
import { SnapshotFileError } from './errors';

/**
 * One record of the file before validation: where it starts and the raw value of each of our fields, at the
 * field's position in SNAPSHOT_FIELDS (undefined where the file has no such column).
 */
export type RawRecord = { line: number; values: unknown[] } | { line: number; values: null; reason: string };

export type SnapshotFormat = 'csv' | 'json' | 'ndjson';

// Each source below yields the records of one input chunk together: one await per chunk, not per row, which is
// most of what reading costs on a file of a few hundred thousand rows.

const NEWLINE = 0x0a;

type Delimiter = ',' | ';' | '\t';

/** Comma, semicolon or tab: whichever occurs most often outside quotes in the header line. */
function detectDelimiter(headerLine: string): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  return counts['\t'] > counts[','] && counts['\t'] > counts[';']
    ? '\t'
    : counts[';'] > counts[',']
      ? ';'
      : ',';
}

/** Lines before the header that spreadsheet and shell exports add: Excel's `sep=;`, PowerShell's `#TYPE …`. */
const PREFIX_LINE = /^(?:\uFEFF)?(?:sep=(.)|#TYPE\b[^\n]*)\r?$/i;

/** How many bytes of prefix lines lead the file, how many lines they are, and the delimiter `sep=` names. */
function prefixOf(head: Buffer): { bytes: number; lines: number; delimiter: Delimiter | null } {
  let bytes = 0;
  let lines = 0;
  let delimiter: Delimiter | null = null;
  for (;;) {
    const end = head.indexOf(NEWLINE, bytes);
    if (end === -1) return { bytes, lines, delimiter };
    const match = PREFIX_LINE.exec(head.subarray(bytes, end).toString('utf8'));
    if (!match) return { bytes, lines, delimiter };
    if (match[1] === ',' || match[1] === ';' || match[1] === '\t') delimiter = match[1];
    bytes = end + 1;
    lines++;
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * CSV records with the physical line each starts on. csv-parse tells how many bytes it had consumed when it
 * emitted a record; counting newline bytes up to that offset ourselves gives the line whatever the line endings,
 * and subtracting the newlines inside quoted cells gives the line the record starts on.
 */
export async function* csvRecords(
  input: AsyncIterable<Uint8Array | string>,
  resolver: ColumnResolver,
): AsyncGenerator<RawRecord[]> {
  let parser: RecordParser | null = null;
  let layout: ColumnLayout | null = null;
  let head = Buffer.alloc(0);
  let offset = 0;
  let newlinesPassed = 0;
  let pending: number[] = []; // offsets of newline bytes; those before `next` were passed by emitted records
  let next = 0;
  let lastSkipLine = 0;
  let failure: Error | null = null;
  let thrown: { error: unknown } | null = null;
  const rethrow = () => {
    if (thrown) throw thrown.error;
  };
  const out: RawRecord[] = [];

  /** The physical line of a byte offset the parser has reached but not yet emitted a record past. */
  const lineAt = (bytes: number): number => {
    let line = 1 + newlinesPassed;
    for (let i = next; i < pending.length && pending[i]! < bytes; i++) line++;
    return line;
  };

  /** The line a record ends on, and how many newlines it passed (more than one: it spans lines or skipped some). */
  const endOf = (bytes: number): { endLine: number; passed: number } => {
    const first = next;
    let trailing = false;
    while (next < pending.length && pending[next]! < bytes) {
      trailing = pending[next] === bytes - 1;
      next++;
    }
    const passed = next - first;
    newlinesPassed += passed;
    return { endLine: 1 + newlinesPassed - (trailing ? 1 : 0), passed };
  };

  /**
   * A record parsed, with the bytes read up to its end. An error thrown here would be thrown inside the parser's
   * write or end, where the stream turns it into a later 'error' event: it is kept, and thrown when they return.
   */
  const take = (record: string[], bytes: number) => {
    if (thrown) return;
    try {
      const { endLine, passed } = endOf(bytes);
      // Only a record that passed several newlines can hold some inside quoted cells.
      const line = passed > 1 ? endLine - record.reduce((n, cell) => n + countNewlines(cell), 0) : endLine;
      if (!layout) layout = resolver.layout(record);
      else out.push({ line, values: valuesOf(layout, resolver.slotCount, record) });
    } catch (error) {
      thrown = { error };
    }
  };

  const start = (headerText: string, delimiter: Delimiter | null) => {
    const csv = new RecordParser(
      {
        bom: true,
        delimiter: delimiter ?? detectDelimiter(headerText),
        relax_column_count: true,
        // Not only the first line's ending: a row appended with a bare LF to a CRLF export would else be read
        // as the previous row's extra cells, and lost.
        record_delimiter: ['\r\n', '\n'],
        skip_empty_lines: true,
        skip_records_with_error: true,
      },
      take,
    );
    // A record csv-parse cannot read (a stray quote) is rejected on its own, once, at the line the problem is on;
    // the rest of the file goes on.
    csv.on('skip', (error: Error & { bytes?: number }) => {
      const line = lineAt(error.bytes ?? offset);
      if (line === lastSkipLine) return;
      lastSkipLine = line;
      const { code, index } = error as Error & { code?: string; index?: number };
      const reason =
        code === 'INVALID_OPENING_QUOTE' && typeof index === 'number'
          ? `a stray quote inside the unquoted value of field ${index + 1}: put the value in quotes and double its quotes ("A ""B"" C")`
          : error.message.replace(/ at line \d+/, '');
      out.push({ line, values: null, reason: `unreadable CSV record: ${reason}` });
    });
    csv.on('error', (error: Error) => {
      failure = error;
    });
    return csv;
  };

  /** Skips the prefix lines (line numbers stay physical: they are counted as passed) and starts the parser. */
  const begin = (): RecordParser => {
    const prefix = prefixOf(head);
    const body = head.subarray(prefix.bytes);
    parser = start(checkHeader(body), prefix.delimiter);
    newlinesPassed = prefix.lines;
    feed(body);
    return parser;
  };

  const feed = (buffer: Buffer) => {
    // Drop the offsets already passed once per chunk, not once per record.
    pending = pending.slice(next);
    next = 0;
    for (let i = buffer.indexOf(NEWLINE); i !== -1; i = buffer.indexOf(NEWLINE, i + 1))
      pending.push(offset + i);
    offset += buffer.length;
    parser!.write(buffer);
    rethrow();
  };

  for await (const chunk of input) {
    // A view of the chunk's bytes, not a copy: nothing here writes to them.
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!parser) {
      // Hold the first bytes until the header line is complete, to choose the delimiter.
      head = Buffer.concat([head, buffer]);
      if (!headerComplete(head)) continue;
      begin();
    } else {
      feed(buffer);
    }
    if (failure) break;
    if (out.length > 0) yield out.splice(0);
  }
  const csv = parser ?? begin();
  if (!failure) {
    csv.end();
    rethrow();
  }
  if (failure) {
    throw new SnapshotFileError(`the CSV cannot be read: ${(failure as Error).message}`, { cause: failure });
  }
  if (!layout) throw new SnapshotFileError('the file is empty');
  if (out.length > 0) yield out.splice(0);
}

/**
 * csv-parse's stream parser handing each record to `onRecord` as it parses it, with the bytes read up to the
 * record's end (the parser's own count, `info.bytes`). A stream would queue each record as an object to be read
 * back, and `info: true` would copy the parser's counts into an object per record: on a file of a few hundred
 * thousand rows that is a sixth of the reading.
 */
class RecordParser extends Parser {
  constructor(
    options: Options,
    private readonly onRecord: (record: string[], bytes: number) => void,
  ) {
    super(options);
  }

  override push(record: unknown): boolean {
    if (record === null) return super.push(null);
    this.onRecord(record as string[], this.info.bytes);
    return true;
  }
}

/** The header line is in (after any prefix lines), or enough was read to give up waiting for it. */
function headerComplete(head: Buffer): boolean {
  if (head.length >= 1_048_576) return true;
  const prefix = prefixOf(head);
  return head.indexOf(NEWLINE, prefix.bytes) !== -1;
}

function checkHeader(head: Buffer): string {
  if (head.includes(0))
    throw new SnapshotFileError('not a table: this is not a text file (it contains NUL bytes)');
  const headerText = head.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (headerText.replace(/^\uFEFF/, '').trim() === '') throw new SnapshotFileError('the file is empty');
  return headerText;
}

function valuesOf(layout: ColumnLayout, slotCount: number, cells: readonly unknown[]): unknown[] {
  const values = new Array<unknown>(slotCount);
  const { slots } = layout;
  for (let i = 0; i < slots.length && i < cells.length; i++) if (slots[i]! >= 0) values[slots[i]!] = cells[i];
  return values;
}

/** A record's keys with nested objects spelled as dotted paths (`commitmentTerm.endDate`). */
function flatten(
  object: Record<string, unknown>,
  prefix: string,
  into: [string, unknown][],
): [string, unknown][] {
  for (const key in object) {
    const value = object[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      flatten(value as Record<string, unknown>, `${prefix}${key}.`, into);
    else into.push([`${prefix}${key}`, value]);
  }
  return into;
}

/** Shared by both JSON formats: the first object's keys must hold the required columns. */
class JsonObjectReader {
  private layoutChecked = false;
  private readonly slotByKey = new Map<string, number>();

  constructor(private readonly resolver: ColumnResolver) {}

  get sawObject(): boolean {
    return this.layoutChecked;
  }

  record(text: string, line: number): RawRecord {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { line, values: null, reason: `invalid JSON: ${(error as Error).message}` };
    }
    return this.recordOf(value, line);
  }

  recordOf(value: unknown, line: number): RawRecord {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { line, values: null, reason: 'expected an object with the columns as keys' };
    }
    const entries = flatten(value as Record<string, unknown>, '', []);
    if (!this.layoutChecked) {
      this.resolver.layout(entries.map(([key]) => key));
      this.layoutChecked = true;
    }
    const values = new Array<unknown>(this.resolver.slotCount);
    for (const [key, v] of entries) {
      let slot = this.slotByKey.get(key);
      if (slot === undefined) {
        slot = this.resolver.slotFor(key);
        this.slotByKey.set(key, slot);
      }
      // The first key wins when two mean the same column, as in a CSV header.
      if (slot >= 0 && values[slot] === undefined) values[slot] = v;
    }
    return { line, values };
  }
}

/** The records of a JSON object that wraps them: under `path` (dotted), or its only property holding an array. */
function wrappedRecords(document: Record<string, unknown>, path: string | undefined): unknown[] {
  if (path) {
    let at: unknown = document;
    for (const part of path.split('.')) at = (at as Record<string, unknown> | null)?.[part];
    if (!Array.isArray(at))
      throw new SnapshotFileError(`not a table: the JSON has no array of records under "${path}"`);
    return at;
  }
  const arrays = Object.entries(document).filter(
    ([, value]) =>
      Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null,
  );
  if (arrays.length !== 1) {
    throw new SnapshotFileError(
      arrays.length === 0
        ? 'not a table: a JSON snapshot must be an array of objects, or an object holding one'
        : `the JSON holds several arrays (${arrays.map(([key]) => key).join(', ')}): set the records path to the one with the records`,
    );
  }
  return arrays[0]![1] as unknown[];
}

/**
 * The elements of a top-level JSON array, one at a time, without holding the whole file: a small scanner keeps
 * track of strings and nesting and hands each complete element to JSON.parse. `line` is the array index + 1.
 */
export async function* jsonArrayRecords(
  input: AsyncIterable<Uint8Array | string>,
  resolver: ColumnResolver,
  recordsPath?: string,
): AsyncGenerator<RawRecord[]> {
  const reader = new JsonObjectReader(resolver);
  let wrapped: string | null = null;
  const decoder = new TextDecoder('utf-8');
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let index = 0;
  let physicalLine = 1;

  // An explicit iterator: a wrapped document hands the rest of the input on without closing it.
  const chunks = input[Symbol.asyncIterator]();
  const rest = { [Symbol.asyncIterator]: () => chunks };
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    const chunk = next.value;
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const out: RawRecord[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\n') physicalLine++;
      if (state !== 'element') {
        if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF') continue;
        if (state === 'before') {
          if (ch === '{') {
            // An API response wrapping its records (`{"Value": [...]}`): these are pages of modest size, read whole.
            wrapped = text.slice(i);
            break;
          }
          if (ch !== '[') {
            throw new SnapshotFileError(
              'not a table: a JSON snapshot must be an array of objects, one per line',
              {
                line: physicalLine,
              },
            );
          }
          state = 'between';
          continue;
        }
        if (state === 'after') {
          throw new SnapshotFileError(`unexpected content after the JSON array (line ${physicalLine})`, {
            line: physicalLine,
          });
        }
        if (ch === ']' && index === 0) {
          state = 'after';
          continue;
        }
        // The first character of an element: fall through and scan it as part of the element.
        state = 'element';
        start = i;
        depth = 0;
        inString = false;
        escaped = false;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') {
        inString = true;
      } else if (ch === '{' || ch === '[') {
        depth++;
      } else if ((ch === '}' || ch === ']') && depth > 0) {
        depth--;
      } else if ((ch === ',' || ch === ']') && depth === 0) {
        index++;
        out.push(reader.record(element + text.slice(start, i), index));
        element = '';
        state = ch === ']' ? 'after' : 'between';
      }
    }
    if (wrapped !== null) break;
    if (state === 'element') element += text.slice(start);
    if (out.length > 0) yield out;
  }
  if (wrapped !== null) {
    yield* wrappedJsonRecords(wrapped, rest, decoder, reader, recordsPath ?? resolver.recordsPath);
    return;
  }
  if (state === 'before') throw new SnapshotFileError('the file is empty');
  if ((state as string) !== 'after') {
    throw new SnapshotFileError(`the JSON array is not closed: the file ends inside element ${index + 1}`, {
      line: physicalLine,
    });
  }
  if (index === 0) throw new SnapshotFileError('the file has no rows: the JSON array is empty');
}

async function* wrappedJsonRecords(
  first: string,
  rest: AsyncIterable<Uint8Array | string>,
  decoder: { decode(input?: Uint8Array, options?: { stream?: boolean }): string },
  reader: JsonObjectReader,
  recordsPath: string | undefined,
): AsyncGenerator<RawRecord[]> {
  const parts = [first];
  for await (const chunk of rest)
    parts.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  parts.push(decoder.decode());
  let document: unknown;
  try {
    document = JSON.parse(parts.join(''));
  } catch (error) {
    throw new SnapshotFileError(`the JSON cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const records = wrappedRecords(document as Record<string, unknown>, recordsPath);
  if (records.length === 0) throw new SnapshotFileError('the file has no rows: the JSON array is empty');
  for (let i = 0; i < records.length; i += 1000)
    yield records.slice(i, i + 1000).map((record, j) => reader.recordOf(record, i + j + 1));
}

/** Newline-delimited JSON: one object per physical line; blank lines are skipped. */
export async function* ndjsonRecords(
  input: AsyncIterable<Uint8Array | string>,
  resolver: ColumnResolver,
): AsyncGenerator<RawRecord[]> {
  const reader = new JsonObjectReader(resolver);
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let line = 0;
  const recordOf = (text: string): RawRecord | null => {
    line++;
    const trimmed = text.replace(/^\uFEFF/, '').trim();
    return trimmed === '' ? null : reader.record(trimmed, line);
  };
  for await (const chunk of input) {
    carry += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const parts = carry.split('\n');
    carry = parts.pop()!;
    const out: RawRecord[] = [];
    for (const part of parts) {
      const record = recordOf(part);
      if (record) out.push(record);
    }
    if (out.length > 0) yield out;
  }
  const last = recordOf(carry);
  if (last) yield [last];
  if (!reader.sawObject) throw new SnapshotFileError('the file is empty');
}
