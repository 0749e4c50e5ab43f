import type { CustomerState, UsagePoint } from '../domain/customer';
import type { IsoDate } from '../domain/dates';
import type { RowRejection } from '../domain/snapshot/reader';

export type FileClaim = 'claimed' | 'already-ingested' | 'in-progress';

/** What ingestion remembers of one file: for idempotency, for the uploader's report and the team digest. */
export interface IngestRecord {
  fileId: string;
  bucket: string;
  key: string;
  status: 'ingested' | 'rejected';
  snapshotDate: IsoDate | null;
  rows: number;
  accepted: number;
  duplicates: number;
  rejectedCount: number;
  /** The first rejections, enough for a digest line; the full list is in the report object. */
  firstRejections: RowRejection[];
  customers: number;
  /** Findings that did not stop a row (an admin that differs between lines of one customer); the report names them. */
  warnings?: number;
  error: string | null;
  processedAt: string;
}

export interface RawRowChunk {
  snapshotDate: IsoDate;
  fileId: string;
  index: number;
  /** The accepted rows of the chunk, each as a compact array. */
  rows: unknown[][];
}

/**
 * How a customer's state write went: newer or same-day data replaced it, older data only added history, or the
 * database refused the item (too large) and the customer was left as it was.
 */
export type CustomerWrite = 'created' | 'updated' | 'history-only' | 'refused';

export interface IngestStore {
  /** Claims a file for ingestion; a file already ingested (or being ingested right now) is not claimed again. */
  claimFile(fileId: string, bucket: string, key: string, now: Date): Promise<FileClaim>;
  /** Gives up a claim after a failure, so a retry of the same event can ingest the file. */
  releaseFile(fileId: string): Promise<void>;
  saveRawRows(chunks: readonly RawRowChunk[]): Promise<void>;
  deleteRawRows(snapshotDate: IsoDate, fileId: string, chunkCount: number): Promise<void>;
  /**
   * Holds the portfolio's customer writes for this file until released: two files ingested at once must not
   * interleave their read-and-write of the same customer. Waits while another file holds it.
   */
  holdCustomerWrites(fileId: string): Promise<void>;
  releaseCustomerWrites(fileId: string): Promise<void>;
  /** Merges one snapshot's state and figures into each customer's item (called while holding the writes). */
  saveCustomers(customers: readonly { state: CustomerState; point: UsagePoint }[]): Promise<CustomerWrite[]>;
  /**
   * Moves the portfolio's latest snapshot date forward (never back), and adds the customers seen for the first
   * time to the portfolio's customer count (what tells the nightly evaluation whether to split).
   */
  advancePortfolioDate(snapshotDate: IsoDate, newCustomers: number): Promise<void>;
  finishFile(record: IngestRecord): Promise<void>;
  /** DynamoDB item writes and reads made so far (for the cost figures). */
  readonly writeRequests: number;
  readonly readRequests: number;
}

/** Ingest records by the day they were processed, for the team digest. */
export interface IngestReports {
  processedOn(day: IsoDate): Promise<IngestRecord[]>;
}
