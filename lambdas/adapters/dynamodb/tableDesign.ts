import { normalizeAddress } from '../../domain/address';

// The two tables and their keys, shared by the adapters, the tests' CreateTable and the CDK stack.
// See docs/data-model.md for the items and the access patterns.

export interface TableDesign {
  /** Logical name used in the CDK stack and for local tables. */
  id: string;
  partitionKey: string;
  sortKey: string;
  /** Attribute holding an epoch-seconds expiry for DynamoDB TTL, if the table expires items. */
  timeToLiveAttribute?: string;
}

/**
 * Portfolio: what the nightly evaluation needs, read in one parallel scan: a state item per customer (with its
 * recent history inline), its cases, the suppression list and the portfolio's latest snapshot date.
 */
export const PORTFOLIO_TABLE: TableDesign = {
  id: 'Portfolio',
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Activity: what grows with time and is read by key: raw snapshot rows kept for the retention period, ingest
 * records and reports, the sent-message ledger, digest and task records. Everything here expires by TTL.
 */
export const ACTIVITY_TABLE: TableDesign = {
  id: 'Activity',
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
};

export const TABLES = [PORTFOLIO_TABLE, ACTIVITY_TABLE] as const;

/** The start of a day as the epoch seconds DynamoDB TTL reads in `expiresAt`. */
export const epochSeconds = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000);

/** Key builders: one place for every item's key shape. */
export const keys = {
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'STATE' }),
  case: (customerId: string, caseId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `CASE#${caseId}` }),
  suppression: (email: string) => ({ pk: `SUPPRESSION#${normalizeAddress(email)}`, sk: 'SUPPRESSION' }),
  emailDays: (email: string) => ({ pk: `EMAILDAYS#${normalizeAddress(email)}`, sk: 'EMAILDAYS' }),
  portfolio: () => ({ pk: 'PORTFOLIO', sk: 'META' }),
  /** Customer emails planned in a quarter hour, across the portfolio (the sending quota's bookkeeping). */
  plannedEmails: (quarter: string) => ({ pk: 'PLANNED_EMAILS', sk: quarter }),
  /** Which contacts upload is the directory; each upload's contacts sit under their own partition. */
  contactsDirectory: () => ({ pk: 'CONTACTS', sk: 'CURRENT' }),
  contact: (fileId: string, customerId: string) => ({ pk: `CONTACTS#${fileId}`, sk: customerId }),
  customerWriteLease: () => ({ pk: 'PORTFOLIO', sk: 'INGEST_LEASE' }),
  ingestFile: (fileId: string) => ({ pk: `FILE#${fileId}`, sk: 'INGEST' }),
  ingestReport: (day: string, fileId: string) => ({ pk: `INGESTS#${day}`, sk: fileId }),
  rawChunk: (snapshotDate: string, fileId: string, index: number) => ({
    pk: `SNAPSHOT#${snapshotDate}`,
    sk: `CHUNK#${fileId}#${String(index).padStart(5, '0')}`,
  }),
  message: (messageId: string) => ({ pk: `MESSAGE#${messageId}`, sk: 'SENT' }),
  pause: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PAUSE' }),
  actionToken: (tokenId: string) => ({ pk: `ACTIONTOKEN#${tokenId}`, sk: 'SPENT' }),
  /** Owner actions by month (`ACTIONS#2026-11`), in time order; versions before kept them by day (`dayActions`). */
  actions: (month: string, at: string, id: string) => ({ pk: `ACTIONS#${month}`, sk: `${at}#${id}` }),
  dayActions: (day: string) => ({ pk: `ACTIONS#${day}` }),
  /** From which day on every owner action is kept by month: the day after the first one so kept. */
  actionsByMonth: () => ({ pk: 'ACTIONS', sk: 'BY_MONTH' }),
  task: (to: string, dueOn: string, taskId: string) => ({
    pk: `TASKS#${normalizeAddress(to)}`,
    sk: `${dueOn}#${taskId}`,
  }),
} as const;
