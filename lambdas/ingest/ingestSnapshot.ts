import { createHash } from 'node:crypto';
import { normalizeAddress } from '../domain/address';
import { type ContactRow, joinContact } from '../domain/contacts/contactRow';
import {
  type CustomerDefaults,
  type CustomerState,
  customerStateFrom,
  type UsagePoint,
  usagePointOf,
} from '../domain/customer';
import type { IsoDate } from '../domain/dates';
import { tooManyLines } from '../domain/snapshot/customerLimit';
import { LINES_PER_CUSTOMER, quoted } from '../domain/snapshot/limits';
import {
  type ReadSummary,
  type RowRejection,
  readSnapshot,
  SnapshotFileError,
} from '../domain/snapshot/reader';
import type { ReadingSettings } from '../domain/snapshot/readingSettings';
import type { SnapshotRow } from '../domain/snapshot/snapshotRow';
import type { ContactsDirectory } from '../ports/contactsDirectory';
import type { IngestRecord, IngestStore, RawRowChunk } from '../ports/ingestStore';
import type { SnapshotBucket } from '../ports/snapshotBucket';
import { mapWithConcurrency } from '../shared/concurrency';
import { LineStore } from './lineStore';

export interface IngestSettings extends CustomerDefaults {
  snapshotPrefix: string;
  reportPrefix: string;
  /** How the reseller's files are read: the same settings `clm validate` takes. */
  reading?: ReadingSettings;
  /** The account owner of customers that neither their rows nor the contacts directory give one. */
  defaultOwnerEmail?: string;
}

export interface IngestDependencies {
  bucket: SnapshotBucket;
  store: IngestStore;
  settings: IngestSettings;
  /** The contacts directory the rows are joined with (absent: the rows' own contact columns only). */
  directory?: ContactsDirectory;
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
/**
 * A raw-rows chunk is one item: it is written early when its rows could pass this many bytes, so long ids and
 * product names (each counted at 6 bytes a character, what JSON escaping can make of one) never make it too large.
 */
const CHUNK_BYTES = 300_000;
const CHUNKS_PER_WRITE = 5;
/** Customers read and written together (one BatchGetItem, four BatchWriteItems), and batches in flight. */
const CUSTOMERS_PER_BATCH = 100;
const CUSTOMER_BATCHES_IN_FLIGHT = 2;
/** The file record (one DynamoDB item, read by the team digest) keeps this much; the report keeps everything. */
const REJECTIONS_IN_RECORD = 20;
const REASON_CHARS_IN_RECORD = 300;
const ERROR_CHARS_IN_RECORD = 1_000;
/** Warnings the report lists (a file of implausible seat counts could have one a row); all are counted. */
const WARNINGS_IN_REPORT = 1_000;

/** The contact columns of a row; product lines live in the LineStore. */
type Contact = Pick<
  SnapshotRow,
  'customerId' | 'customerName' | 'adminEmail' | 'adminName' | 'ownerEmail' | 'locale' | 'timezone'
>;

function contactOf(row: SnapshotRow): Contact {
  const { customerId, customerName, adminEmail, adminName, ownerEmail, locale, timezone } = row;
  return { customerId, customerName, adminEmail, adminName, ownerEmail, locale, timezone };
}

/**
 * What the file says of one customer beside its product lines: the line it starts on, the contacts of the first
 * row of each term (the current term's win, see customerStateFrom), and every admin address it names.
 */
interface CustomerContacts {
  line: number;
  byTerm: Map<IsoDate | null, Contact>;
  admins: string[];
}

/** Reading a file's rows: contacts and lines by customer, raw rows on their way to the store. */
class FileRows {
  readonly customers = new Map<string, CustomerContacts>();
  readonly lines = new LineStore();
  /**
   * Not rejections: seat counts above the seats paid for, an admin that differs between lines of one customer.
   * Named in the report (the uploader's own data), never logged.
   */
  readonly warnings: RowRejection[] = [];
  /** Every warning, also those past the ones the report lists. */
  warningCount = 0;

  private warn(warning: RowRejection): void {
    this.warningCount++;
    if (this.warnings.length < WARNINGS_IN_REPORT) this.warnings.push(warning);
  }

  add(line: number, row: SnapshotRow): void {
    this.checkSeats(line, row);
    let customer = this.customers.get(row.customerId);
    if (!customer) {
      customer = { line, byTerm: new Map(), admins: [] };
      this.customers.set(row.customerId, customer);
    }
    if (!customer.byTerm.has(row.termEnd)) customer.byTerm.set(row.termEnd, contactOf(row));
    const admin = row.adminEmail === undefined ? undefined : normalizeAddress(row.adminEmail);
    if (admin !== undefined && !customer.admins.includes(admin)) {
      customer.admins.push(admin);
      if (customer.admins.length > 1) {
        const first = customer.byTerm.values().next().value!;
        this.warn({
          line,
          column: 'admin_email',
          reason: `customer_id ${quoted(row.customerId)} names another admin (${row.adminEmail!.trim()}) than its line ${customer.line} (${first.adminEmail?.trim() ?? 'none'}): emails go to the admin of the current term's first line`,
        });
      }
    }
    this.lines.add(row.customerId, row);
  }

  /** Seats in use above seats paid for happen in exports (transfers, overlapping terms): kept, and pointed out. */
  private checkSeats(line: number, row: SnapshotRow): void {
    const above = (column: string, seats: number) =>
      this.warn({
        line,
        column,
        reason: `${column} (${seats}) is above licenses_purchased (${row.licensesPurchased}): kept as exported; emails never say more than all licences are in use`,
      });
    if (row.licensesAssigned > row.licensesPurchased) above('licenses_assigned', row.licensesAssigned);
    if (row.activeUsers !== null && row.activeUsers > row.licensesPurchased)
      above('active_users', row.activeUsers);
  }

  /** A customer's rows with the contacts of the first row of the same term. */
  rowsOf(customerId: string): SnapshotRow[] {
    const { byTerm } = this.customers.get(customerId)!;
    return this.lines.linesOf(customerId).map((line) => ({ ...byTerm.get(line.termEnd)!, ...line }));
  }
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
 * no state), and leaves a report next to the upload. Safe to run twice for the same object. A customer that
 * cannot be stored (too many lines, or an item DynamoDB refuses) is rejected by itself; every other is written,
 * and the file always ends ingested or rejected: an error releases the claim so the retry starts afresh.
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

  try {
    const read = await readRows(deps, object, fileId, key);
    if ('error' in read) {
      const record = recordOf(fileId, bucketName, key, now(), null, 0, read.error);
      return await finish(deps, record, key, {
        file: key,
        rows: 0,
        accepted: 0,
        rejected: [],
        error: read.error,
      });
    }
    const { summary, rows } = read;
    const refused = await writeCustomers(deps, fileId, rows, summary.snapshotDate);
    const rejected = [...summary.rejected, ...refused.rejections].sort((a, b) => a.line - b.line);
    const outcome = {
      ...summary,
      accepted: summary.accepted - refused.lines,
      rejectedRows: summary.rejected.length + refused.lines,
      rejected,
    };
    const written = rows.lines.customers - refused.rejections.length;
    const record = recordOf(fileId, bucketName, key, now(), outcome, written, null, rows.warningCount);
    return await finish(deps, record, key, {
      file: key,
      snapshotDate: summary.snapshotDate,
      rows: summary.rows,
      accepted: outcome.accepted,
      duplicates: summary.duplicates,
      combined: summary.combined,
      customers: written,
      rejected,
      warningCount: rows.warningCount,
      warnings: rows.warnings,
      ...(summary.preset ? { preset: summary.preset } : {}),
      // About the file as a whole (the encoding it was read in, a mapping entry that matched no column).
      ...(summary.warnings.length > 0 ? { fileWarnings: summary.warnings } : {}),
    });
  } catch (error) {
    // The retry of the event ingests the file again from the start; every write it repeats is idempotent.
    await store.releaseFile(fileId);
    throw error;
  }
}

/** Reads the whole file; a file unusable as a whole leaves no raw rows behind and says why. */
async function readRows(
  deps: IngestDependencies,
  object: Awaited<ReturnType<SnapshotBucket['open']>>,
  fileId: string,
  key: string,
): Promise<{ summary: ReadSummary; rows: FileRows } | { error: string }> {
  const { settings, store } = deps;
  const rows = new FileRows();
  const pending: RawRowChunk[] = [];
  let chunkRows: unknown[][] = [];
  let chunkBytes = 0;
  let chunksWritten = 0;
  let snapshotDate: IsoDate | null = null;
  const writes: Promise<void>[] = [];
  const flushChunk = () => {
    if (chunkRows.length === 0 || !snapshotDate) return;
    pending.push({ snapshotDate, fileId, index: chunksWritten++, rows: chunkRows });
    chunkRows = [];
    chunkBytes = 0;
    if (pending.length >= CHUNKS_PER_WRITE) writes.push(store.saveRawRows(pending.splice(0)));
  };

  try {
    const reader = readSnapshot(object.body, {
      fileName: key.split('/').pop() ?? key,
      uploadDate: object.lastModified.toISOString().slice(0, 10),
      ...settings.reading,
    });
    for (;;) {
      const next = await reader.next();
      if (next.done) {
        flushChunk();
        writes.push(store.saveRawRows(pending.splice(0)));
        await Promise.all(writes);
        return { summary: next.value, rows };
      }
      for (const event of next.value) {
        if (event.type === 'rejected') {
          if (event.revokes) rows.lines.remove(event.revokes.customerId, event.revokes.lineKey);
          continue;
        }
        if (event.type === 'withdrawn') {
          rows.lines.remove(event.customerId, event.lineKey);
          continue;
        }
        const { row } = event;
        snapshotDate ??= row.snapshotDate;
        rows.add(event.line, row);
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
        chunkBytes += 100 + 6 * (row.customerId.length + row.product.length);
        if (chunkRows.length >= CHUNK_ROWS || chunkBytes >= CHUNK_BYTES) flushChunk();
      }
      // Keep at most a few raw-row writes in flight so memory stays bounded on big files.
      if (writes.length >= 2) await Promise.all(writes.splice(0));
    }
  } catch (error) {
    await Promise.allSettled(writes);
    if (!(error instanceof SnapshotFileError)) throw error;
    // Unusable as a whole: nothing of it stays, and the uploader is told why.
    if (snapshotDate) await store.deleteRawRows(snapshotDate, fileId, chunksWritten);
    return { error: error.message };
  }
}

/**
 * Writes every customer's state, holding the portfolio's customer writes. Returns the customers rejected by
 * themselves (each as a rejection at its first line) and how many lines they had.
 */
async function writeCustomers(
  deps: IngestDependencies,
  fileId: string,
  rows: FileRows,
  snapshotDate: IsoDate,
): Promise<{ rejections: RowRejection[]; lines: number }> {
  const { settings, store } = deps;
  const rejections: RowRejection[] = [];
  let refusedLines = 0;
  const refuse = (customerId: string, lines: number, reason: string) => {
    rejections.push({ line: rows.customers.get(customerId)!.line, column: 'customer_id', reason });
    refusedLines += lines;
  };
  await store.holdCustomerWrites(fileId);
  try {
    const ids: string[] = [];
    for (const customerId of rows.lines.customerIds()) {
      const lines = rows.lines.linesOf(customerId).length;
      if (lines <= LINES_PER_CUSTOMER) ids.push(customerId);
      else refuse(customerId, lines, tooManyLines(customerId, lines));
    }
    const batches = Array.from({ length: Math.ceil(ids.length / CUSTOMERS_PER_BATCH) }, (_, i) =>
      ids.slice(i * CUSTOMERS_PER_BATCH, (i + 1) * CUSTOMERS_PER_BATCH),
    );
    let created = 0;
    await mapWithConcurrency(batches, CUSTOMER_BATCHES_IN_FLIGHT, async (all) => {
      // The contacts directory as it stands now: a contacts upload counts from the next snapshot on.
      const directory = deps.directory ? await deps.directory.contactsOf(all) : new Map<string, ContactRow>();
      const batch: string[] = [];
      const customers: { state: CustomerState; point: UsagePoint }[] = [];
      for (const customerId of all) {
        const joined = rows
          .rowsOf(customerId)
          .map((row) => joinContact(row, directory.get(customerId), settings.defaultOwnerEmail));
        const state = customerStateFrom(joined, snapshotDate, settings);
        if (state.ownerEmail === '') {
          refuse(customerId, state.lines.length, noOwner(customerId));
          continue;
        }
        batch.push(customerId);
        customers.push({ state, point: usagePointOf(state) });
      }
      const writes = await store.saveCustomers(customers);
      writes.forEach((write, i) => {
        if (write === 'created') created++;
        if (write === 'refused')
          refuse(
            batch[i]!,
            customers[i]!.state.lines.length,
            `customer_id ${quoted(batch[i])} could not be stored: the database refused its record (too large); none of its lines were ingested`,
          );
      });
    });
    if (ids.length > 0) await store.advancePortfolioDate(snapshotDate, created);
  } finally {
    await store.releaseCustomerWrites(fileId);
  }
  return { rejections, lines: refusedLines };
}

const noOwner = (customerId: string) =>
  `customer_id ${quoted(customerId)} has no account owner: give it an owner_email column, a row in the contacts directory with one, or set defaultOwnerEmail; none of its lines were ingested`;

/** The file's record: one DynamoDB item, so its rejections are few and short (the report has them all). */
function recordOf(
  fileId: string,
  bucket: string,
  key: string,
  now: Date,
  summary: (Omit<ReadSummary, 'rejected'> & { rejected: RowRejection[]; rejectedRows: number }) | null,
  customers: number,
  error: string | null,
  warnings = 0,
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
    rejectedCount: summary?.rejectedRows ?? 0,
    firstRejections: (summary?.rejected ?? [])
      .slice(0, REJECTIONS_IN_RECORD)
      .map((r) => ({ ...r, reason: cut(r.reason, REASON_CHARS_IN_RECORD) })),
    customers: error ? 0 : customers,
    warnings,
    error: error === null ? null : cut(error, ERROR_CHARS_IN_RECORD),
    processedAt: now.toISOString(),
  };
}

const cut = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars)}…` : text);

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
