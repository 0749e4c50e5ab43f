import { normalizeAddress } from './address';
import type { IsoDate } from './dates';
import type { Locale } from './locales';
import type { SnapshotRow } from './snapshot/snapshotRow';

/** One product line of a customer as the latest snapshot shows it. */
export interface ProductLine {
  product: string;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number;
  termStart: IsoDate;
  termEnd: IsoDate;
}

/**
 * A customer as of one snapshot: contacts, the current term, and seat sums over the lines of that term.
 * This is what ingestion stores once per customer and what the nightly evaluation reads.
 */
export interface CustomerState {
  customerId: string;
  customerName: string;
  /** The admin's address as the export wrote it: what emails and digests show. */
  adminEmail: string;
  /** The same address normalised (normalizeAddress): what is compared, suppressed, booked and deduplicated. */
  adminAddress: string;
  adminName?: string;
  ownerEmail: string;
  locale: Locale;
  timezone: string;
  snapshotDate: IsoDate;
  /** The current term: the lines that renew next (see currentTermOf). */
  termStart: IsoDate;
  termEnd: IsoDate;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number;
  /** Every line in the snapshot, including lines on another term, sorted by product. */
  lines: ProductLine[];
}

/** The compact per-night figures kept for trends (30-day utilization change, renewal detection). */
export interface UsagePoint {
  snapshotDate: IsoDate;
  termStart: IsoDate;
  termEnd: IsoDate;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number;
}

export interface CustomerDefaults {
  defaultLocale: Locale;
  defaultTimezone: string;
}

/**
 * The term a customer's seat counts are summed over: the lines whose term_end comes next on or after
 * the snapshot date (the next renewal). When every line has ended, the most recent term_end, so an
 * expired customer still has a term to win back.
 */
export function currentTermOf(
  lines: readonly Pick<ProductLine, 'termEnd'>[],
  snapshotDate: IsoDate,
): IsoDate {
  const ends = [...new Set(lines.map((l) => l.termEnd))].sort();
  if (ends.length === 0) throw new RangeError('a customer needs at least one line');
  return ends.find((end) => end >= snapshotDate) ?? ends[ends.length - 1]!;
}

/** Placeholder end of a monthly/rolling line (term_end empty) until the engine handles null itself. */
const ROLLING_TERM_END: IsoDate = '2999-12-31';

/** Builds one customer's state from its rows of one snapshot (all rows share customerId). */
export function customerStateFrom(
  rows: readonly SnapshotRow[],
  snapshotDate: IsoDate,
  defaults: CustomerDefaults,
): CustomerState {
  const first = rows[0];
  if (!first) throw new RangeError('a customer needs at least one row');
  const lines: ProductLine[] = rows
    .map((r) => ({
      product: r.product,
      licensesPurchased: r.licensesPurchased,
      licensesAssigned: r.licensesAssigned,
      // engine decides: activeUsers === null is unknown activity; assigned seats keep usage plays quiet meanwhile.
      activeUsers: r.activeUsers ?? r.licensesAssigned,
      termStart: r.termStart,
      // engine decides: termEnd === null is a monthly/rolling line; a far date keeps renewal plays closed meanwhile.
      termEnd: r.termEnd ?? ROLLING_TERM_END,
    }))
    .sort((a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : 0));
  const termEnd = currentTermOf(lines, snapshotDate);
  const termLines = lines.filter((l) => l.termEnd === termEnd);
  // Contacts come from the first row of the current term, so a line on another term cannot override them.
  const contact = rows.find((r) => (r.termEnd ?? ROLLING_TERM_END) === termEnd) ?? first;
  const state: CustomerState = {
    customerId: first.customerId,
    customerName: contact.customerName,
    adminEmail: contact.adminEmail.trim(),
    adminAddress: normalizeAddress(contact.adminEmail),
    ownerEmail: contact.ownerEmail,
    locale: contact.locale ?? defaults.defaultLocale,
    timezone: contact.timezone ?? defaults.defaultTimezone,
    snapshotDate,
    termStart: termLines.map((l) => l.termStart).sort()[0]!,
    termEnd,
    licensesPurchased: sum(termLines, 'licensesPurchased'),
    licensesAssigned: sum(termLines, 'licensesAssigned'),
    activeUsers: sum(termLines, 'activeUsers'),
    lines,
  };
  if (contact.adminName) state.adminName = contact.adminName;
  return state;
}

export function usagePointOf(state: CustomerState): UsagePoint {
  return {
    snapshotDate: state.snapshotDate,
    termStart: state.termStart,
    termEnd: state.termEnd,
    licensesPurchased: state.licensesPurchased,
    licensesAssigned: state.licensesAssigned,
    activeUsers: state.activeUsers,
  };
}

function sum(
  lines: readonly ProductLine[],
  key: 'licensesPurchased' | 'licensesAssigned' | 'activeUsers',
): number {
  return lines.reduce((total, line) => total + line[key], 0);
}
