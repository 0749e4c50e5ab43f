import type { IsoDate } from '../dates';
import { ColumnResolver, ORDER_SLOT } from './columns';
import { decodedInput } from './encoding';
import { SnapshotFileError } from './errors';
import type { ReadingSettings } from './readingSettings';
import { csvRecords, jsonArrayRecords, ndjsonRecords, type RawRecord, type SnapshotFormat } from './records';
import { lineKeyOf, type SnapshotRow } from './snapshotRow';
import { parseDate, rowFromValues, ValueReading } from './values';

export { SnapshotFileError } from './errors';
export type { SnapshotFormat } from './records';
export { DATE_FORMATS, type DateFormat } from './values';

/** Rows whose day/month dates wait for a later value to settle the file's order; beyond this they are rejected. */
const HELD_ROWS_LIMIT = 100_000;

export interface ReadOptions extends ReadingSettings {
  /** Used to tell the format (.csv, .txt, .json, .ndjson/.jsonl) and, failing a snapshot_date column, the date. */
  fileName: string;
  /** The last fallback for the snapshot date: when the file arrived. */
  uploadDate?: IsoDate;
}

export interface RowRejection {
  line: number;
  column: string | null;
  reason: string;
}

/** A line of one customer: its subscription when the file names one, else its product (see lineKeyOf). */
export interface LineRef {
  customerId: string;
  lineKey: string;
}

export type ReadEvent =
  | { type: 'row'; line: number; row: SnapshotRow & { snapshotDate: IsoDate } }
  | (RowRejection & {
      type: 'rejected';
      /** Set when this reject also cancels a row yielded earlier (a conflicting duplicate). */
      revokes?: LineRef;
    })
  /** A row yielded earlier gives way to a later row of the same subscription (the preset combines them). */
  | ({ type: 'withdrawn'; line: number } & LineRef);

export interface ReadSummary {
  fileName: string;
  format: SnapshotFormat;
  /** The vendor preset the file was read with (chosen or recognised from its header), if any. */
  preset: string | null;
  snapshotDate: IsoDate;
  /** Records read, header excluded. */
  rows: number;
  accepted: number;
  /** Identical repeats of an accepted row, collapsed into it. */
  duplicates: number;
  /** Earlier rows of a subscription (previous months, charges) that gave way to its latest row. */
  combined: number;
  rejected: RowRejection[];
  /** Things the uploader should know that reject nothing (the encoding guessed, a mapping entry unused). */
  warnings: string[];
}

export function formatOf(fileName: string, firstByte?: string): SnapshotFormat {
  const name = fileName.toLowerCase();
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv') || name.endsWith('.txt') || name.endsWith('.tsv')) return 'csv';
  if (firstByte === '[') return 'json';
  if (firstByte === '{') return 'ndjson';
  return 'csv';
}

function dateInFileName(fileName: string): IsoDate | undefined {
  const match = /(\d{4})-(\d{2})-(\d{2})/.exec(fileName.split('/').pop() ?? fileName);
  return match ? match[0] : undefined;
}

/** The input again, with its first chunk (already read to tell the format) put back in front. */
async function* prepend(
  first: Uint8Array | string | undefined,
  rest: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string> {
  if (first !== undefined) yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/**
 * Every line seen in the file, found by its exact key (customer, then subscription or product: never a hash, so
 * two different lines can never be taken for one), with what tells an identical repeat from a conflicting one.
 * Texts that repeat across rows (contacts, products, dates) are stored once each and compared by number; the rest
 * sit in typed columns. Some 130 bytes a line, more where every line is a new customer: see `npm run bench`.
 */
class LineIndex {
  /** Each customer's most recent line; its other lines follow through `next` (chains stay short, see find). */
  private readonly heads = new Map<string, number>();
  /** Customers with many lines: their lines by key, so a huge customer cannot make every lookup walk its chain. */
  private readonly manyLines = new Map<string, Map<string, number>>();
  private next = new Uint32Array(1024);
  private chainLength = new Uint32Array(1024);
  /** Subscription ids as written (the exact identity of a subscription's line); products are text ids. */
  private readonly subscriptions: (string | undefined)[] = [];
  private readonly textIds = new Map<string, number>();
  private readonly textList: string[] = [];
  /** The previous row's contacts and their id: a customer's rows mostly come together and name the same ones. */
  private lastContact: SnapshotRow | null = null;
  /** The previous row's term dates and their ids: rows of one customer mostly share their term. */
  private readonly lastTerm: [string, number, string, number] = ['', 0, '', 0];
  private lastContactId = 0;
  private size = 0;
  private capacity = 1024;
  lines = new Uint32Array(this.capacity);
  private counts = new Float64Array(this.capacity * 3);
  private texts = new Uint32Array(this.capacity * TEXTS_PER_LINE);
  private autoRenew = new Uint8Array(this.capacity);
  orders: (string | undefined)[] = [];

  /**
   * A line's key as one flat string (a joined array is flat; a concatenation would keep its parts too): the
   * customer, then its subscription, or its product when the file gives no subscription.
   */
  static keyOf(row: SnapshotRow): string {
    return row.subscriptionId === undefined
      ? [row.customerId, 'p', row.product].join('\u0000')
      : [row.customerId, 's', row.subscriptionId].join('\u0000');
  }

  /** The slot of the row's line, if the file named it before. */
  find(row: SnapshotRow): number | undefined {
    const many = this.manyLines.size > 0 ? this.manyLines.get(row.customerId) : undefined;
    if (many) return many.get(LineIndex.keyOf(row));
    const head = this.heads.get(row.customerId);
    if (head === undefined) return undefined;
    const subscription = row.subscriptionId;
    const product = subscription === undefined ? this.textId(row.product) : NO_TEXT;
    for (let slot = head; slot !== NO_TEXT; slot = this.next[slot]!) {
      if (subscription === undefined) {
        if (this.subscriptions[slot] === undefined && this.texts[slot * TEXTS_PER_LINE + 1] === product)
          return slot;
      } else if (this.subscriptions[slot] === subscription) return slot;
    }
    return undefined;
  }

  add(row: SnapshotRow, line: number, order: string | undefined): void {
    const slot = this.size++;
    if (slot === this.capacity) this.grow();
    this.put(slot, row, line, order);
    this.subscriptions[slot] = row.subscriptionId;
    const many = this.manyLines.size > 0 ? this.manyLines.get(row.customerId) : undefined;
    if (many) {
      many.set(LineIndex.keyOf(row), slot);
      return;
    }
    const head = this.heads.get(row.customerId);
    this.next[slot] = head ?? NO_TEXT;
    this.chainLength[slot] = head === undefined ? 1 : this.chainLength[head]! + 1;
    this.heads.set(row.customerId, slot);
    if (this.chainLength[slot]! > CHAIN_LIMIT) {
      const lines = new Map<string, number>();
      for (let s = slot; s !== NO_TEXT; s = this.next[s]!) {
        const subscriptionId = this.subscriptions[s];
        const product = this.textList[this.texts[s * TEXTS_PER_LINE + 1]!]!;
        const key =
          subscriptionId === undefined
            ? LineIndex.keyOf({ customerId: row.customerId, product } as SnapshotRow)
            : LineIndex.keyOf({ customerId: row.customerId, product, subscriptionId } as SnapshotRow);
        if (!lines.has(key)) lines.set(key, s);
      }
      this.manyLines.set(row.customerId, lines);
    }
  }

  put(slot: number, row: SnapshotRow, line: number, order: string | undefined): void {
    this.lines[slot] = line;
    if (order !== undefined || this.orders.length > 0) this.orders[slot] = order;
    const c = slot * 3;
    this.counts[c] = row.licensesPurchased;
    this.counts[c + 1] = row.licensesAssigned;
    this.counts[c + 2] = row.activeUsers ?? -1;
    const t = slot * TEXTS_PER_LINE;
    this.texts[t] = this.contactId(row);
    this.texts[t + 1] = this.textId(row.product);
    this.texts[t + 2] = this.textId(row.productName ?? '\u0000');
    this.texts[t + 3] = this.termStartId(row.termStart);
    this.texts[t + 4] = row.termEnd === null ? NO_TEXT : this.termEndId(row.termEnd);
    this.autoRenew[slot] = autoRenewCode(row);
  }

  /** The row says exactly what the line at `slot` said. */
  same(slot: number, row: SnapshotRow): boolean {
    const c = slot * 3;
    const t = slot * TEXTS_PER_LINE;
    return (
      this.counts[c] === row.licensesPurchased &&
      this.counts[c + 1] === row.licensesAssigned &&
      this.counts[c + 2] === (row.activeUsers ?? -1) &&
      this.texts[t] === this.contactId(row) &&
      this.texts[t + 1] === this.textId(row.product) &&
      this.texts[t + 2] === this.textId(row.productName ?? '\u0000') &&
      this.texts[t + 3] === this.termStartId(row.termStart) &&
      this.texts[t + 4] === (row.termEnd === null ? NO_TEXT : this.termEndId(row.termEnd)) &&
      this.autoRenew[slot] === autoRenewCode(row)
    );
  }

  /** The contacts' text id; comparing six short texts with the previous row's costs less than joining them. */
  private contactId(row: SnapshotRow): number {
    const last = this.lastContact;
    if (
      last !== null &&
      last.customerName === row.customerName &&
      last.adminEmail === row.adminEmail &&
      last.adminName === row.adminName &&
      last.ownerEmail === row.ownerEmail &&
      last.locale === row.locale &&
      last.timezone === row.timezone
    )
      return this.lastContactId;
    const { customerName, adminEmail, adminName, ownerEmail, locale, timezone } = row;
    this.lastContact = row;
    this.lastContactId = this.textId(
      [customerName, adminEmail, adminName ?? '', ownerEmail, locale ?? '', timezone ?? ''].join('\u0001'),
    );
    return this.lastContactId;
  }

  private termStartId(date: string): number {
    const last = this.lastTerm;
    if (last[0] !== date) [last[0], last[1]] = [date, this.textId(date)];
    return last[1];
  }

  private termEndId(date: string): number {
    const last = this.lastTerm;
    if (last[2] !== date) [last[2], last[3]] = [date, this.textId(date)];
    return last[3];
  }

  private textId(text: string): number {
    let id = this.textIds.get(text);
    if (id === undefined) {
      id = this.textList.length;
      this.textIds.set(text, id);
      this.textList.push(text);
    }
    return id;
  }

  private grow(): void {
    this.capacity *= 2;
    const lines = new Uint32Array(this.capacity);
    lines.set(this.lines);
    this.lines = lines;
    const counts = new Float64Array(this.capacity * 3);
    counts.set(this.counts);
    this.counts = counts;
    const texts = new Uint32Array(this.capacity * TEXTS_PER_LINE);
    texts.set(this.texts);
    this.texts = texts;
    const autoRenew = new Uint8Array(this.capacity);
    autoRenew.set(this.autoRenew);
    this.autoRenew = autoRenew;
    for (const name of ['next', 'chainLength'] as const) {
      const wider = new Uint32Array(this.capacity);
      wider.set(this[name]);
      this[name] = wider;
    }
  }
}

const TEXTS_PER_LINE = 5;
/** Lines of one customer looked up by walking its chain; beyond this, by a map of its own. */
const CHAIN_LIMIT = 16;
const NO_TEXT = 0xffffffff;
const autoRenewCode = (row: SnapshotRow) => (row.autoRenew === undefined ? 2 : row.autoRenew ? 1 : 0);

/**
 * Reads a snapshot file as a stream: valid rows come out as soon as their chunk of the file is read, every bad
 * row as a rejection naming its physical line, column and reason; events arrive in batches, one per chunk read.
 * A file that cannot be used at all throws SnapshotFileError. A line is a customer's subscription (or, without a
 * subscription_id, product): identical duplicates collapse; conflicting ones are both rejected (the earlier one
 * through a rejection that `revokes` it, since it was already handed out); rows of one subscription that a
 * preset combines leave its latest row (an earlier one handed out is `withdrawn`).
 */
export async function* readSnapshot(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
): AsyncGenerator<ReadEvent[], ReadSummary> {
  const resolver = new ColumnResolver(options);
  const warnings: string[] = [];
  const chunks = decodedInput(input, (warning) => warnings.push(warning))[Symbol.asyncIterator]();
  const first = await chunks.next();
  const head = first.done
    ? ''
    : typeof first.value === 'string'
      ? first.value.slice(0, 64)
      : Buffer.from(first.value.subarray(0, 64)).toString('utf8');
  const format = formatOf(options.fileName, head.replace(/^[\uFEFF\s]+/, '')[0]);
  const all = prepend(first.done ? undefined : first.value, chunks);
  const source =
    format === 'json'
      ? jsonArrayRecords(all, resolver, options.recordsPath)
      : format === 'ndjson'
        ? ndjsonRecords(all, resolver)
        : csvRecords(all, resolver);

  const fallbackDate = dateInFileName(options.fileName) ?? options.uploadDate;
  let fileDate: IsoDate | undefined;
  let reading: ValueReading | null = null;
  const index = new LineIndex();
  const revoked = new Set<string>();
  let held: { record: RawRecord & { values: unknown[] }; reason: string; column: string | null }[] = [];
  const summary: ReadSummary = {
    fileName: options.fileName,
    format,
    preset: null,
    snapshotDate: '',
    rows: 0,
    accepted: 0,
    duplicates: 0,
    combined: 0,
    rejected: [],
    warnings,
  };
  let events: ReadEvent[] = [];
  const reject = (rejection: RowRejection) => {
    summary.rejected.push(rejection);
    events.push({ type: 'rejected', ...rejection });
  };

  /** The file's settings once its header (and so its preset) is known. */
  const start = (): ValueReading => {
    const preset = resolver.activePreset;
    summary.preset = preset?.name ?? null;
    warnings.push(...resolver.warnings);
    return new ValueReading(
      options.dateFormat ?? preset?.dateFormat,
      options.europeanNumbers ?? undefined,
      preset?.termStartFromEnd ?? false,
    );
  };

  const fillIn = (values: unknown[]) => {
    const { constants, copies, joins } = resolver.fill;
    for (const [to, parts] of joins) {
      const text = parts
        .map((slot) => values[slot])
        .filter((v) => !empty(v))
        .join(' · ');
      if (text && empty(values[to])) values[to] = text;
    }
    for (const [from, to] of copies) if (empty(values[to])) values[to] = values[from];
    for (const [slot, value] of constants) if (empty(values[slot])) values[slot] = value;
  };

  const take = (record: RawRecord) => {
    if (record.values === null) {
      reject({ line: record.line, column: null, reason: record.reason });
      return;
    }
    reading ??= start();
    const values = record.values;
    const { constants, copies, joins } = resolver.fill;
    if (constants.length + copies.length + joins.length > 0) fillIn(values);
    const outcome = rowFromValues(values, reading);
    if (!outcome.ok) {
      if (outcome.ambiguousDate && reading.order === null && held.length < HELD_ROWS_LIMIT) {
        held.push({ record: { line: record.line, values }, reason: outcome.reason, column: outcome.column });
        return;
      }
      reject({ line: record.line, column: outcome.column, reason: outcome.reason });
      return;
    }
    const row: SnapshotRow & { snapshotDate?: IsoDate } = outcome.row;
    fileDate ??= row.snapshotDate ?? fallbackDate;
    if (!fileDate) {
      throw new SnapshotFileError(
        'no snapshot date: add a snapshot_date column or put the date (YYYY-MM-DD) in the file name',
      );
    }
    if (row.snapshotDate && row.snapshotDate !== fileDate) {
      reject({
        line: record.line,
        column: 'snapshot_date',
        reason: `snapshot_date ${row.snapshotDate} differs from the file's snapshot date ${fileDate}`,
      });
      return;
    }
    row.snapshotDate = fileDate;
    const dated = row as SnapshotRow & { snapshotDate: IsoDate };
    if (revoked.size > 0 && revoked.has(LineIndex.keyOf(row))) {
      reject({
        line: record.line,
        ...conflict(row),
        reason: `another line for ${conflict(row).what} conflicts with this one`,
      });
      return;
    }
    const order = orderOf(values[ORDER_SLOT], reading);
    const slot = index.find(row);
    if (slot === undefined) {
      index.add(row, record.line, order);
      summary.accepted++;
      events.push({ type: 'row', line: record.line, row: dated });
      return;
    }
    const earlier = index.orders[slot];
    if (order !== undefined && earlier !== undefined && order !== earlier) {
      // Rows of one subscription in one file (months, charges): the latest is the line.
      summary.combined++;
      if (order < earlier) return;
      events.push({
        type: 'withdrawn',
        line: index.lines[slot]!,
        customerId: row.customerId,
        lineKey: lineKeyOf(row),
      });
      index.put(slot, row, record.line, order);
      events.push({ type: 'row', line: record.line, row: dated });
      return;
    }
    if (index.same(slot, row)) {
      summary.duplicates++;
      return;
    }
    const firstLine = index.lines[slot]!;
    const { what, column } = conflict(row);
    const reason = `conflicting duplicate of ${what} (lines ${firstLine} and ${record.line})`;
    // The first sighting was handed out as valid: take it back, once.
    revoked.add(LineIndex.keyOf(row));
    summary.accepted--;
    summary.rejected.push({ line: firstLine, column, reason });
    events.push({
      type: 'rejected',
      line: firstLine,
      column,
      reason,
      revokes: { customerId: row.customerId, lineKey: lineKeyOf(row) },
    });
    reject({ line: record.line, column, reason });
  };

  for await (const records of source) {
    for (const record of records) {
      summary.rows++;
      take(record);
      if (held.length > 0 && (reading as ValueReading | null)?.order) {
        // A value settled the file's day/month order: the rows that waited for it are read now.
        const waiting = held;
        held = [];
        for (const { record: waited } of waiting) take(waited);
      }
    }
    if (events.length > 0) {
      yield events;
      events = [];
    }
  }
  for (const { record, column, reason } of held) reject({ line: record.line, column, reason });
  if (events.length > 0) yield events;
  if (summary.rows === 0) throw new SnapshotFileError('the file has a header but no rows');
  summary.snapshotDate = fileDate ?? fallbackDate ?? '';
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}

/** How a rejection names a line: by subscription when the file gives one, else by product. */
function conflict(row: SnapshotRow): { what: string; column: string } {
  return row.subscriptionId === undefined
    ? { what: `customer_id "${row.customerId}" and product "${row.product}"`, column: 'product' }
    : {
        what: `customer_id "${row.customerId}" and subscription_id "${row.subscriptionId}"`,
        column: 'subscription_id',
      };
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || v === '-';

/** A preset's combine column as a sortable text: dates as YYYY-MM-DD, anything else as written. */
function orderOf(value: unknown, reading: ValueReading): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  try {
    return parseDate(value, reading);
  } catch {
    return String(value);
  }
}

/** Reads the whole file and returns only the summary: what `clm validate` reports. */
export async function validateSnapshot(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
): Promise<ReadSummary> {
  const reader = readSnapshot(input, options);
  for (;;) {
    const next = await reader.next();
    if (next.done) return next.value;
  }
}
