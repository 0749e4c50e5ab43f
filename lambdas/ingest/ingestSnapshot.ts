import { createHash } from 'node:crypto';
import { type CustomerDefaults, customerStateFrom, usagePointOf } from '../domain/customer';
import type { IsoDate } from '../domain/dates';
import {
  type DateFormat,
  type ReadSummary,
  readSnapshot,
  SnapshotFileError,
} from '../domain/snapshot/reader';
import type { SnapshotRow } from '../domain/snapshot/snapshotRow';
import type { IngestRecord, IngestStore, RawRowChunk } from '../ports/ingestStore';
import type { SnapshotBucket } from '../ports/snapshotBucket';
import { mapWithConcurrency } from '../shared/concurrency';
import { LineStore } from './lineStore';

export interface IngestSettings extends CustomerDefaults {
  snapshotPrefix: string;
  reportPrefix: string;
  dateFormat?: DateFormat;
  columnMapping?: Record<string, string>;
}

export interface IngestDependencies {
  bucket: SnapshotBucket;
  store: IngestStore;
  settings: IngestSettings;
  now?: () => Date;
}

export type IngestOutcome =
  | { status: 'ingested' | 'rejected'; record: IngestRecord; reportKey: string; writeRequests: number }
  | { status: 'skipped'; reason: 'not-a-snapshot' | 'already-ingested' }
  | { status: 'in-progress' };

/** A twin delivery of the same S3 event is ingesting this file right now: retry later. */
export class IngestInProgressError extends Error {
  override name = 'IngestInProgressError';
}

const CHUNK_ROWS = 500;
const CHUNKS_PER_WRITE = 5;
/** Customers read and written together (one BatchGetItem, four BatchWriteItems), and batches in flight. */
const CUSTOMERS_PER_BATCH = 100;
const CUSTOMER_BATCHES_IN_FLIGHT = 2;
const REJECTIONS_IN_RECORD = 20;

/** The contact columns of a customer's first row; product lines live in the LineStore. */
type Contact = Pick<
  SnapshotRow,
  'customerId' | 'customerName' | 'adminEmail' | 'adminName' | 'ownerEmail' | 'locale' | 'timezone'
>;

function contactOf(row: SnapshotRow): Contact {
  const { customerId, customerName, adminEmail, adminName, ownerEmail, locale, timezone } = row;
  return { customerId, customerName, adminEmail, adminName, ownerEmail, locale, timezone };
}

export function reportKeyFor(
  key: string,
  settings: Pick<IngestSettings, 'snapshotPrefix' | 'reportPrefix'>,
): string {
  const name = key.startsWith(settings.snapshotPrefix) ? key.slice(settings.snapshotPrefix.length) : key;
  return `${settings.reportPrefix}${name}.json`;
}

/**
 * Ingests one uploaded snapshot file: streams it through the reader, keeps raw rows for the retention period,
 * writes one state item per customer (only after the whole file was read, so a file rejected as a whole changes
 * no state), and leaves a report next to the upload. Safe to run twice for the same object.
 */
export async function ingestSnapshot(
  deps: IngestDependencies,
  bucketName: string,
  key: string,
): Promise<IngestOutcome> {
  const { settings, store } = deps;
  const now = deps.now ?? (() => new Date());
  if (!key.startsWith(settings.snapshotPrefix) || key.endsWith('/'))
    return { status: 'skipped', reason: 'not-a-snapshot' };

  const object = await deps.bucket.open(bucketName, key);
  const fileId = createHash('sha256')
    .update(`${bucketName}/${key}#${object.eTag}`)
    .digest('hex')
    .slice(0, 32);
  const claim = await store.claimFile(fileId, bucketName, key, now());
  if (claim === 'already-ingested') return { status: 'skipped', reason: 'already-ingested' };
  if (claim === 'in-progress') return { status: 'in-progress' };

  const fileName = key.split('/').pop() ?? key;
  const contacts = new Map<string, Contact>();
  const lines = new LineStore();
  const pending: RawRowChunk[] = [];
  let chunkRows: unknown[][] = [];
  let chunksWritten = 0;
  let snapshotDate: IsoDate | null = null;
  const writes: Promise<void>[] = [];
  const flushChunk = () => {
    if (chunkRows.length === 0 || !snapshotDate) return;
    pending.push({ snapshotDate, fileId, index: chunksWritten++, rows: chunkRows });
    chunkRows = [];
    if (pending.length >= CHUNKS_PER_WRITE) writes.push(store.saveRawRows(pending.splice(0)));
  };

  let summary: ReadSummary;
  try {
    const reader = readSnapshot(object.body, {
      fileName,
      uploadDate: object.lastModified.toISOString().slice(0, 10),
      ...(settings.dateFormat ? { dateFormat: settings.dateFormat } : {}),
      ...(settings.columnMapping ? { columnMapping: settings.columnMapping } : {}),
    });
    for (;;) {
      const next = await reader.next();
      if (next.done) {
        summary = next.value;
        break;
      }
      for (const event of next.value) {
        if (event.type === 'rejected') {
          if (event.revokes) lines.remove(event.revokes.customerId, event.revokes.product);
          continue;
        }
        const { row } = event;
        snapshotDate ??= row.snapshotDate;
        if (!contacts.has(row.customerId)) contacts.set(row.customerId, contactOf(row));
        lines.add(row.customerId, row);
        chunkRows.push([
          event.line,
          row.customerId,
          row.product,
          row.licensesPurchased,
          row.licensesAssigned,
          row.activeUsers,
          row.termStart,
          row.termEnd,
        ]);
        if (chunkRows.length >= CHUNK_ROWS) flushChunk();
      }
      // Keep at most a few raw-row writes in flight so memory stays bounded on big files.
      if (writes.length >= 2) await Promise.all(writes.splice(0));
    }
    flushChunk();
    writes.push(store.saveRawRows(pending.splice(0)));
    await Promise.all(writes);
  } catch (error) {
    await Promise.allSettled(writes);
    if (!(error instanceof SnapshotFileError)) {
      await store.releaseFile(fileId);
      throw error;
    }
    // Unusable as a whole: nothing of it stays, and the uploader is told why.
    if (snapshotDate) await store.deleteRawRows(snapshotDate, fileId, chunksWritten);
    const record = recordOf(fileId, bucketName, key, now(), null, 0, error.message);
    return finish(deps, record, key, { file: key, rows: 0, accepted: 0, rejected: [], error: error.message });
  }

  try {
    await store.holdCustomerWrites(fileId);
    try {
      const ids = [...lines.customerIds()];
      const batches = Array.from({ length: Math.ceil(ids.length / CUSTOMERS_PER_BATCH) }, (_, i) =>
        ids.slice(i * CUSTOMERS_PER_BATCH, (i + 1) * CUSTOMERS_PER_BATCH),
      );
      let created = 0;
      await mapWithConcurrency(batches, CUSTOMER_BATCHES_IN_FLIGHT, async (batch) => {
        const customers = batch.map((customerId) => {
          const contact = contacts.get(customerId)!;
          const rows = lines.linesOf(customerId).map((line) => ({ ...contact, ...line }));
          const state = customerStateFrom(rows, summary.snapshotDate, settings);
          return { state, point: usagePointOf(state) };
        });
        const writes = await store.saveCustomers(customers);
        created += writes.filter((write) => write === 'created').length;
      });
      if (lines.customers > 0) await store.advancePortfolioDate(summary.snapshotDate, created);
    } finally {
      await store.releaseCustomerWrites(fileId);
    }
  } catch (error) {
    await store.releaseFile(fileId);
    throw error;
  }
  const record = recordOf(fileId, bucketName, key, now(), summary, lines.customers, null);
  return finish(deps, record, key, {
    file: key,
    snapshotDate: summary.snapshotDate,
    rows: summary.rows,
    accepted: summary.accepted,
    duplicates: summary.duplicates,
    customers: lines.customers,
    rejected: summary.rejected,
  });
}

function recordOf(
  fileId: string,
  bucket: string,
  key: string,
  now: Date,
  summary: ReadSummary | null,
  customers: number,
  error: string | null,
): IngestRecord {
  return {
    fileId,
    bucket,
    key,
    status: error ? 'rejected' : 'ingested',
    snapshotDate: summary?.snapshotDate ?? null,
    rows: summary?.rows ?? 0,
    accepted: summary?.accepted ?? 0,
    duplicates: summary?.duplicates ?? 0,
    rejectedCount: summary?.rejected.length ?? 0,
    firstRejections: summary?.rejected.slice(0, REJECTIONS_IN_RECORD) ?? [],
    customers: error ? 0 : customers,
    error,
    processedAt: now.toISOString(),
  };
}

async function finish(
  deps: IngestDependencies,
  record: IngestRecord,
  key: string,
  report: object,
): Promise<IngestOutcome> {
  const reportKey = reportKeyFor(key, deps.settings);
  await deps.bucket.putReport(record.bucket, reportKey, report);
  await deps.store.finishFile(record);
  return { status: record.status, record, reportKey, writeRequests: deps.store.writeRequests };
}
