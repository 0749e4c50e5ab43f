import { normalizeAddress } from './address';
import { noAdminAddress } from './contacts/adminAddress';
import type { IsoDate } from './dates';
import type { Locale } from './locales';

/** One subscription line of a customer as the latest snapshot shows it. */
export interface ProductLine {
  /** The product or SKU as the export names it (a line's identity with subscriptionId). */
  product: string;
  /** What customers read, where the export has only a code in `product`. */
  productName?: string;
  /** Identifies the line when the export has one (two subscriptions of one product are two lines). */
  subscriptionId?: string;
  licensesPurchased: number;
  licensesAssigned: number;
  /** Users active in the last 28 days; null when the export does not say (no usage plays then). */
  activeUsers: number | null;
  termStart: IsoDate;
  /** The renewal date; null for a monthly (rolling) line, which has no renewal or win-back. */
  termEnd: IsoDate | null;
  /** The term renews by itself (vendor flag). */
  autoRenew?: boolean;
}

/** The row fields a line and the customer's contacts are made of (the reader's SnapshotRow and the ingest's). */
export interface LineRow {
  customerId: string;
  customerName: string;
  adminEmail?: string | undefined;
  adminName?: string | undefined;
  ownerEmail?: string | undefined;
  locale?: Locale | undefined;
  timezone?: string | undefined;
  product: string;
  productName?: string | undefined;
  subscriptionId?: string | undefined;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number | null;
  termStart: IsoDate;
  termEnd: IsoDate | null;
  autoRenew?: boolean | undefined;
}

/** A different admin address than the export named before: who it was, and since when the new one is named. */
export interface AdminChange {
  /** The previous admin as the export wrote the address. */
  fromEmail: string;
  fromName?: string;
  /** The snapshot date on which the new admin first appeared. */
  on: IsoDate;
}

/**
 * A customer as of one snapshot: contacts, the adoption term, and seat sums over the lines whose term has not
 * ended. This is what ingestion stores once per customer and what the nightly evaluation reads. Renewal and
 * win-back look at the subscription terms in `lines` (see termsOf).
 */
export interface CustomerState {
  customerId: string;
  customerName: string;
  /** The admin's address as the export wrote it: what emails and digests show; empty when nobody names one. */
  adminEmail: string;
  /** The same address normalised (normalizeAddress): what is compared, suppressed, booked and deduplicated. */
  adminAddress: string;
  adminName?: string;
  /** Set when a later export named a different admin than an earlier one; kept until the next change. */
  adminChange?: AdminChange;
  ownerEmail: string;
  locale: Locale;
  timezone: string;
  snapshotDate: IsoDate;
  /** The adoption term: the term that renews next (see adoptionTermOf); null end when every line is monthly. */
  termStart: IsoDate;
  termEnd: IsoDate | null;
  /** Sums over the lines whose term has not ended (adoption plays); null active users when a line lacks them. */
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number | null;
  /** Every line in the snapshot, including lines on other terms, sorted by product. */
  lines: ProductLine[];
}

/** The compact per-night figures kept for trends (30-day utilization change, first term seen). */
export interface UsagePoint {
  snapshotDate: IsoDate;
  termStart: IsoDate;
  termEnd: IsoDate | null;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number | null;
}

export interface CustomerDefaults {
  defaultLocale: Locale;
  defaultTimezone: string;
}

/**
 * One subscription term of a customer: the lines that share a term_end. Renewal and win-back are per term;
 * a customer with two subscriptions on different anniversaries has two.
 */
export interface SubscriptionTerm {
  termStart: IsoDate;
  termEnd: IsoDate;
  lines: ProductLine[];
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number | null;
  /** Every line of the term renews by itself. */
  autoRenew: boolean;
  /** How later snapshots recognise these lines: their subscription ids, or their products (lineKeyOf). */
  lineKeys: string[];
}

/** A line's identity across snapshots: its subscription id when the export has one, else its product. */
export function lineKeyOf(line: Pick<ProductLine, 'product' | 'subscriptionId'>): string {
  return line.subscriptionId ? `subscription:${line.subscriptionId}` : `product:${line.product}`;
}

/** The customer's subscription terms (lines sharing a term_end), the earliest end first. Monthly lines have none. */
export function termsOf(lines: readonly ProductLine[]): SubscriptionTerm[] {
  const only = lines.length === 1 ? lines[0]! : undefined;
  if (only) {
    // Most customers have one line: its term is the line.
    if (only.termEnd === null) return [];
    return [
      {
        termStart: only.termStart,
        termEnd: only.termEnd,
        lines: [only],
        ...seatsOf(lines),
        autoRenew: only.autoRenew === true,
        lineKeys: [lineKeyOf(only)],
      },
    ];
  }
  // Plain loops over a handful of lines: the engine asks for every customer's terms every night.
  const groups: ProductLine[][] = [];
  for (const line of lines) {
    if (line.termEnd === null) continue;
    let group: ProductLine[] | undefined;
    for (const g of groups) if (g[0]!.termEnd === line.termEnd) group = g;
    if (group) group.push(line);
    else groups.push([line]);
  }
  groups.sort((a, b) => (a[0]!.termEnd! < b[0]!.termEnd! ? -1 : 1));
  const terms: SubscriptionTerm[] = [];
  for (const termLines of groups) {
    let termStart = termLines[0]!.termStart;
    let autoRenew = true;
    const lineKeys: string[] = [];
    for (const line of termLines) {
      if (line.termStart < termStart) termStart = line.termStart;
      if (line.autoRenew !== true) autoRenew = false;
      const key = lineKeyOf(line);
      if (!lineKeys.includes(key)) lineKeys.push(key);
    }
    terms.push({
      termStart,
      termEnd: termLines[0]!.termEnd!,
      lines: termLines,
      ...seatsOf(termLines),
      autoRenew,
      lineKeys: lineKeys.sort(),
    });
  }
  return terms;
}

/**
 * Renewed: a later snapshot shows a line of the term (matched by subscription id, or by product where the term's
 * lines had no id) with a later term_end. A line of another product on a later term is a new term, not this
 * one renewed.
 */
export function isTermRenewed(
  term: { termEnd: IsoDate; lineKeys: readonly string[] },
  lines: readonly ProductLine[],
) {
  // Asked for every open renewal case each night; a term has a handful of keys, so a list serves.
  for (const l of lines) {
    if (l.termEnd === null || l.termEnd <= term.termEnd) continue;
    if (term.lineKeys.includes(lineKeyOf(l)) || term.lineKeys.includes(`product:${l.product}`)) return true;
  }
  return false;
}

/** Whether a line's term has ended by a date (a monthly line never has). */
function hasEnded(line: ProductLine, date: IsoDate): boolean {
  return line.termEnd !== null && line.termEnd < date;
}

/**
 * The lines adoption plays count (those whose term has not ended) and the term their clock runs on: the term
 * that ends next on or after the snapshot date, else the monthly lines. When every line has ended, the latest
 * term's lines, so a lapsed customer is still described by what it had.
 */
export function adoptionTermOf(
  lines: readonly ProductLine[],
  snapshotDate: IsoDate,
): { termStart: IsoDate; termEnd: IsoDate | null; lines: ProductLine[] } {
  if (lines.length === 0) throw new RangeError('a customer needs at least one line');
  const running = lines.filter((l) => !hasEnded(l, snapshotDate));
  const counted = running.length > 0 ? running : lines.filter((l) => l.termEnd === latestEnd(lines));
  const terms = termsOf(counted);
  const next = terms[0];
  if (next) return { termStart: next.termStart, termEnd: next.termEnd, lines: counted };
  return { termStart: counted.map((l) => l.termStart).sort()[0]!, termEnd: null, lines: counted };
}

function latestEnd(lines: readonly ProductLine[]): IsoDate | null {
  let latest: IsoDate | null = null;
  for (const l of lines)
    if (l.termEnd !== null && (latest === null || l.termEnd > latest)) latest = l.termEnd;
  return latest;
}

const byProduct = (a: ProductLine, b: ProductLine) =>
  a.product < b.product
    ? -1
    : a.product > b.product
      ? 1
      : (a.subscriptionId ?? '') < (b.subscriptionId ?? '')
        ? -1
        : 1;

/** Builds one customer's state from its rows of one snapshot (all rows share customerId). */
export function customerStateFrom(
  rows: readonly LineRow[],
  snapshotDate: IsoDate,
  defaults: CustomerDefaults,
): CustomerState {
  const first = rows[0];
  if (!first) throw new RangeError('a customer needs at least one row');
  const lines = rows.map(lineOf).sort(byProduct);
  const adoption = adoptionTermOf(lines, snapshotDate);
  // Contacts come from the first row of the adoption term, so a line on another term cannot override them.
  const contact = rows.find((r) => r.termEnd === adoption.termEnd) ?? first;
  const state: CustomerState = {
    customerId: first.customerId,
    customerName: contact.customerName,
    // No admin named (not by the rows, not by the contacts directory): no customer email, see hasAdmin.
    adminEmail: contact.adminEmail?.trim() ?? '',
    adminAddress: contact.adminEmail
      ? normalizeAddress(contact.adminEmail)
      : noAdminAddress(first.customerId),
    // Ingestion refuses a customer nobody owns (no owner_email, no directory entry, no defaultOwnerEmail).
    ownerEmail: contact.ownerEmail ?? '',
    locale: contact.locale ?? defaults.defaultLocale,
    timezone: contact.timezone ?? defaults.defaultTimezone,
    snapshotDate,
    termStart: adoption.termStart,
    termEnd: adoption.termEnd,
    ...seatsOf(adoption.lines),
    lines,
  };
  if (contact.adminName) state.adminName = contact.adminName;
  return state;
}

function lineOf(row: LineRow): ProductLine {
  const line: ProductLine = {
    product: row.product,
    licensesPurchased: row.licensesPurchased,
    licensesAssigned: row.licensesAssigned,
    activeUsers: row.activeUsers,
    termStart: row.termStart,
    termEnd: row.termEnd,
  };
  if (row.productName) line.productName = row.productName;
  if (row.subscriptionId) line.subscriptionId = row.subscriptionId;
  if (row.autoRenew !== undefined) line.autoRenew = row.autoRenew;
  return line;
}

/**
 * Tonight's state with what only the previous state knows: an admin address that changed since (and the date
 * it did), or the change recorded earlier.
 */
export function withPreviousState(state: CustomerState, previous: CustomerState | undefined): CustomerState {
  if (!previous || previous.snapshotDate > state.snapshotDate) return state;
  // Items written before addresses were normalised in the state have only the address as written.
  const previousAddress = previous.adminAddress ?? normalizeAddress(previous.adminEmail);
  // An admin named where there was none (or no longer named) is a contact filled in or lost, not a new admin.
  const bothNamed = previous.adminEmail !== '' && state.adminEmail !== '';
  if (bothNamed && previousAddress !== state.adminAddress) {
    const change: AdminChange = { fromEmail: previous.adminEmail, on: state.snapshotDate };
    if (previous.adminName) change.fromName = previous.adminName;
    return { ...state, adminChange: change };
  }
  return previous.adminChange ? { ...state, adminChange: previous.adminChange } : state;
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

/** Seat sums; active users only when every line says how many (an unknown makes the sum unknown). */
function seatsOf(lines: readonly ProductLine[]): {
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number | null;
} {
  let purchased = 0;
  let assigned = 0;
  let active: number | null = 0;
  for (const line of lines) {
    purchased += line.licensesPurchased;
    assigned += line.licensesAssigned;
    active = active === null || line.activeUsers === null ? null : active + line.activeUsers;
  }
  return { licensesPurchased: purchased, licensesAssigned: assigned, activeUsers: active };
}
