import type { IsoDate } from '../dates';
import { ColumnResolver } from './columns';
import { contentHash, DuplicateIndex } from './duplicateIndex';
import { SnapshotFileError } from './errors';
import { csvRecords, jsonArrayRecords, ndjsonRecords, type RawRecord, type SnapshotFormat } from './records';
import { SNAPSHOT_FIELDS, type SnapshotRow } from './snapshotRow';

/** What tells an identical duplicate from a conflicting one: all but the key and the file's date. */
const CONTENT_FIELDS = SNAPSHOT_FIELDS.filter(
  (field) => field !== 'customerId' && field !== 'product' && field !== 'snapshotDate',
);

import { type DateFormat, rowFromValues } from './values';

export { SnapshotFileError } from './errors';
export type { SnapshotFormat } from './records';
export { DATE_FORMATS, type DateFormat } from './values';

export interface ReadOptions {
  /** Used to tell the format (.csv, .json, .ndjson/.jsonl) and, failing a snapshot_date column, the date. */
  fileName: string;
  /** Makes day/month forms such as 03/04/2026 acceptable. */
  dateFormat?: DateFormat;
  /** The user's own header names: their header -> our column (e.g. {"Seats Owned": "licenses_purchased"}). */
  columnMapping?: Record<string, string>;
  /** The last fallback for the snapshot date: when the file arrived. */
  uploadDate?: IsoDate;
}

export interface RowRejection {
  line: number;
  column: string | null;
  reason: string;
}

export type ReadEvent =
  | { type: 'row'; line: number; row: SnapshotRow & { snapshotDate: IsoDate } }
  | (RowRejection & {
      type: 'rejected';
      /** Set when this reject also cancels a row yielded earlier (a conflicting duplicate). */
      revokes?: { customerId: string; product: string };
    });

export interface ReadSummary {
  fileName: string;
  format: SnapshotFormat;
  snapshotDate: IsoDate;
  /** Records read, header excluded. */
  rows: number;
  accepted: number;
  /** Identical repeats of an accepted row, collapsed into it. */
  duplicates: number;
  rejected: RowRejection[];
}

export function formatOf(fileName: string, firstByte?: string): SnapshotFormat {
  const name = fileName.toLowerCase();
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv') || name.endsWith('.txt')) return 'csv';
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
 * Reads a snapshot file as a stream: valid rows come out as soon as their chunk of the file is read, every bad
 * row as a rejection naming its physical line, column and reason; events arrive in batches, one per chunk read.
 * A file that cannot be used at all throws SnapshotFileError. Identical duplicates of a customer + product
 * collapse; conflicting ones are both rejected (the earlier one through a rejection that `revokes` it, since it
 * was already handed out).
 */
export async function* readSnapshot(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
): AsyncGenerator<ReadEvent[], ReadSummary> {
  const resolver = new ColumnResolver(options.columnMapping);
  const chunks = input[Symbol.asyncIterator]();
  const first = await chunks.next();
  const head = first.done
    ? ''
    : typeof first.value === 'string'
      ? first.value
      : Buffer.from(first.value.subarray(0, 64)).toString('utf8');
  const format = formatOf(options.fileName, head.replace(/^[\uFEFF\s]+/, '')[0]);
  const all = prepend(first.done ? undefined : first.value, chunks);
  const source =
    format === 'json'
      ? jsonArrayRecords(all, resolver)
      : format === 'ndjson'
        ? ndjsonRecords(all, resolver)
        : csvRecords(all, resolver);

  const fallbackDate = dateInFileName(options.fileName) ?? options.uploadDate;
  let fileDate: IsoDate | undefined;
  const index = new DuplicateIndex();
  const revoked = new Set<string>();
  const summary: ReadSummary = {
    fileName: options.fileName,
    format,
    snapshotDate: '',
    rows: 0,
    accepted: 0,
    duplicates: 0,
    rejected: [],
  };
  let events: ReadEvent[] = [];
  const reject = (rejection: RowRejection) => {
    summary.rejected.push(rejection);
    events.push({ type: 'rejected', ...rejection });
  };

  const take = (record: RawRecord) => {
    summary.rows++;
    if (record.values === null) {
      reject({ line: record.line, column: null, reason: record.reason });
      return;
    }
    const outcome = rowFromValues(record.values, options.dateFormat);
    if (!outcome.ok) {
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
    const key = `${row.customerId}\u0000${row.product}`;
    const sighting = index.sight(key, contentHash(dated, CONTENT_FIELDS), record.line);
    if (revoked.has(key)) {
      reject({
        line: record.line,
        column: 'product',
        reason: `another line for customer_id "${row.customerId}" and product "${row.product}" conflicts with this one`,
      });
      return;
    }
    if (sighting.seen) {
      if (sighting.sameContent) {
        summary.duplicates++;
        return;
      }
      const reason = `conflicting duplicate of customer_id "${row.customerId}" and product "${row.product}" (lines ${sighting.firstLine} and ${record.line})`;
      if (!revoked.has(key)) {
        // The first sighting was handed out as valid: take it back, once.
        revoked.add(key);
        summary.accepted--;
        summary.rejected.push({ line: sighting.firstLine, column: 'product', reason });
        events.push({
          type: 'rejected',
          line: sighting.firstLine,
          column: 'product',
          reason,
          revokes: { customerId: row.customerId, product: row.product },
        });
      }
      reject({ line: record.line, column: 'product', reason });
      return;
    }
    summary.accepted++;
    events.push({ type: 'row', line: record.line, row: dated });
  };

  for await (const records of source) {
    for (const record of records) take(record);
    if (events.length > 0) {
      yield events;
      events = [];
    }
  }
  if (summary.rows === 0) throw new SnapshotFileError('the file has a header but no rows');
  summary.snapshotDate = fileDate ?? fallbackDate ?? '';
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
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
