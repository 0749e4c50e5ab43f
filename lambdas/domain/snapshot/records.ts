import { parse } from 'csv-parse';
import type { ColumnLayout, ColumnResolver } from './columns';
import { SnapshotFileError } from './errors';
import { SNAPSHOT_FIELDS } from './snapshotRow';

/**
 * One record of the file before validation: where it starts and the raw value of each of our fields, at the
 * field's position in SNAPSHOT_FIELDS (undefined where the file has no such column).
 */
export type RawRecord = { line: number; values: unknown[] } | { line: number; values: null; reason: string };

export type SnapshotFormat = 'csv' | 'json' | 'ndjson';

// Each source below yields the records of one input chunk together: one await per chunk, not per row, which is
// most of what reading costs on a file of a few hundred thousand rows.

const NEWLINE = 0x0a;

/** Comma or semicolon: whichever occurs more often outside quotes in the header line. */
function detectDelimiter(headerLine: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
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
  let parser: ReturnType<typeof parse> | null = null;
  let layout: ColumnLayout | null = null;
  let head = Buffer.alloc(0);
  let offset = 0;
  let newlinesPassed = 0;
  let pending: number[] = []; // offsets of newline bytes; those before `next` were passed by emitted records
  let next = 0;
  let lastEndLine = 1;
  let failure: Error | null = null;
  const out: RawRecord[] = [];

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

  const start = (headerText: string) => {
    const csv = parse({
      bom: true,
      delimiter: detectDelimiter(headerText),
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
    });
    // A record csv-parse cannot read (a stray quote) is rejected on its own; the rest of the file goes on.
    csv.on('skip', (error: Error) => {
      out.push({ line: lastEndLine + 1, values: null, reason: `unreadable CSV record: ${error.message}` });
    });
    csv.on('error', (error: Error) => {
      failure = error;
    });
    return csv;
  };

  const drain = () => {
    for (;;) {
      const item = parser!.read() as { record: string[]; info: { bytes: number } } | null;
      if (item === null) return;
      const { endLine, passed } = endOf(item.info.bytes);
      // Only a record that passed several newlines can hold some inside quoted cells.
      const line =
        passed > 1 ? endLine - item.record.reduce((n, cell) => n + countNewlines(cell), 0) : endLine;
      lastEndLine = endLine;
      if (!layout) layout = resolver.layout(item.record);
      else out.push({ line, values: valuesOf(layout, item.record) });
    }
  };

  const feed = (buffer: Buffer) => {
    // Drop the offsets already passed once per chunk, not once per record.
    pending = pending.slice(next);
    next = 0;
    for (let i = buffer.indexOf(NEWLINE); i !== -1; i = buffer.indexOf(NEWLINE, i + 1))
      pending.push(offset + i);
    offset += buffer.length;
    parser!.write(buffer);
    drain();
  };

  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    if (!parser) {
      // Hold the first bytes until the header line is complete, to choose the delimiter.
      head = Buffer.concat([head, buffer]);
      if (!head.includes(NEWLINE) && head.length < 1_048_576) continue;
      parser = start(checkHeader(head));
      feed(head);
    } else {
      feed(buffer);
    }
    if (failure) break;
    if (out.length > 0) yield out.splice(0);
  }
  if (!parser) {
    parser = start(checkHeader(head));
    feed(head);
  }
  if (!failure) {
    parser.end();
    drain();
  }
  if (failure) {
    throw new SnapshotFileError(`the CSV cannot be read: ${(failure as Error).message}`, { cause: failure });
  }
  if (!layout) throw new SnapshotFileError('the file is empty');
  if (out.length > 0) yield out.splice(0);
}

function checkHeader(head: Buffer): string {
  if (head.includes(0))
    throw new SnapshotFileError('not a table: this is not a text file (it contains NUL bytes)');
  const headerText = head.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (headerText.replace(/^\uFEFF/, '').trim() === '') throw new SnapshotFileError('the file is empty');
  return headerText;
}

function valuesOf(layout: ColumnLayout, cells: readonly unknown[]): unknown[] {
  const values = new Array<unknown>(SNAPSHOT_FIELDS.length);
  const { slots } = layout;
  for (let i = 0; i < slots.length && i < cells.length; i++) if (slots[i]! >= 0) values[slots[i]!] = cells[i];
  return values;
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
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { line, values: null, reason: 'expected an object with the columns as keys' };
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (!this.layoutChecked) {
      this.resolver.layout(entries.map(([key]) => key));
      this.layoutChecked = true;
    }
    const values = new Array<unknown>(SNAPSHOT_FIELDS.length);
    for (const [key, v] of entries) {
      let slot = this.slotByKey.get(key);
      if (slot === undefined) {
        const field = this.resolver.fieldFor(key);
        slot = field ? SNAPSHOT_FIELDS.indexOf(field) : -1;
        this.slotByKey.set(key, slot);
      }
      // The first key wins when two mean the same column, as in a CSV header.
      if (slot >= 0 && values[slot] === undefined) values[slot] = v;
    }
    return { line, values };
  }
}

/**
 * The elements of a top-level JSON array, one at a time, without holding the whole file: a small scanner keeps
 * track of strings and nesting and hands each complete element to JSON.parse. `line` is the array index + 1.
 */
export async function* jsonArrayRecords(
  input: AsyncIterable<Uint8Array | string>,
  resolver: ColumnResolver,
): AsyncGenerator<RawRecord[]> {
  const reader = new JsonObjectReader(resolver);
  const decoder = new TextDecoder('utf-8');
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let index = 0;
  let physicalLine = 1;

  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const out: RawRecord[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\n') physicalLine++;
      if (state !== 'element') {
        if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF') continue;
        if (state === 'before') {
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
    if (state === 'element') element += text.slice(start);
    if (out.length > 0) yield out;
  }
  if (state === 'before') throw new SnapshotFileError('the file is empty');
  if ((state as string) !== 'after') {
    throw new SnapshotFileError(`the JSON array is not closed: the file ends inside element ${index + 1}`, {
      line: physicalLine,
    });
  }
  if (index === 0) throw new SnapshotFileError('the file has no rows: the JSON array is empty');
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
