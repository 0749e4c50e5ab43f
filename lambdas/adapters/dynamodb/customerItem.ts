import { type CustomerState, type UsagePoint, withPreviousState } from '../../domain/customer';
import { addDays, type IsoDate } from '../../domain/dates';
import { TREND_DAYS, TREND_TOLERANCE_DAYS } from '../../domain/metrics';
import type { CustomerWrite } from '../../ports/ingestStore';

/**
 * Days of per-night figures kept on a customer's item: what a 30-day trend may look back to (30 days plus the
 * tolerance for skipped exports), and a few days more. Every evaluation reads this, so it is kept no longer.
 */
export const HISTORY_DAYS = TREND_DAYS + TREND_TOLERANCE_DAYS + 5;

/**
 * The history as stored: one string of points in date order, `date=purchased|assigned|active`, with
 * `date=termStart|termEnd|purchased|assigned|active` on the oldest point and wherever the term changes (a
 * renewal), separated by spaces. One string attribute rather than a map of fifty: the nightly Scan and the
 * ingest read and write every customer's history, and each attribute costs encoding and decoding on both sides
 * (DynamoDB bills by the kilobyte, and the term is the same on nearly every night).
 */
export type StoredHistory = string;

export interface CustomerItem {
  pk: string;
  sk: 'STATE';
  entity: 'customer';
  customerId: string;
  state: CustomerState;
  lastSnapshotDate: IsoDate;
  firstSeen: IsoDate;
  history: StoredHistory;
}

/** Points in date order, stored with the term only where it changes. */
export function storedHistory(points: readonly UsagePoint[]): StoredHistory {
  const stored: string[] = [];
  let term = '';
  for (const p of points) {
    // Unknowns (no active users, a monthly term's end) are stored empty.
    const figures = `${p.licensesPurchased}|${p.licensesAssigned}|${p.activeUsers ?? ''}`;
    const pointTerm = `${p.termStart}|${p.termEnd ?? ''}`;
    stored.push(`${p.snapshotDate}=${pointTerm === term ? figures : `${pointTerm}|${figures}`}`);
    term = pointTerm;
  }
  return stored.join(' ');
}

const byDate = (a: UsagePoint, b: UsagePoint) =>
  a.snapshotDate < b.snapshotDate ? -1 : a.snapshotDate > b.snapshotDate ? 1 : 0;

/** The history as UsagePoints, oldest first, without points beyond the kept window. */
export function historyOf(item: Pick<CustomerItem, 'history' | 'lastSnapshotDate'>): UsagePoint[] {
  const oldest = addDays(item.lastSnapshotDate, -HISTORY_DAYS);
  const stored = item.history ?? '';
  const entries = stored
    .split(' ')
    .filter(Boolean)
    .map((entry) => entry.split('=') as [IsoDate, string]);
  const points: UsagePoint[] = [];
  let termStart = '';
  let termEnd = '';
  for (const [snapshotDate, point] of entries) {
    const parts = point.split('|');
    // A point without a term has the one of the point before it (the oldest always carries one).
    if (parts.length === 5) [termStart = '', termEnd = ''] = parts.splice(0, 2);
    if (snapshotDate < oldest) continue;
    const [purchased, assigned, active] = parts;
    points.push({
      snapshotDate,
      termStart,
      termEnd: termEnd || null,
      licensesPurchased: Number(purchased),
      licensesAssigned: Number(assigned),
      activeUsers: active ? Number(active) : null,
    });
  }
  return points;
}

/**
 * The customer's item after one snapshot: state and date are replaced only by data of the same day or newer; an
 * older snapshot only adds its figures to the history (and may move firstSeen back). Points that fell out of
 * the window go. Writing the same snapshot again gives the same item.
 */
export function mergeCustomerItem(
  existing: CustomerItem | undefined,
  key: { pk: string; sk: 'STATE' },
  state: CustomerState,
  point: UsagePoint,
): { item: CustomerItem; change: CustomerWrite } {
  const date = state.snapshotDate;
  const newer = !existing || existing.lastSnapshotDate <= date;
  const lastSnapshotDate = newer ? date : existing.lastSnapshotDate;
  const oldest = addDays(lastSnapshotDate, -HISTORY_DAYS);
  const points = (existing ? historyOf(existing) : []).filter(
    (p) => p.snapshotDate !== date && p.snapshotDate >= oldest,
  );
  if (date >= oldest) points.push({ ...point, snapshotDate: date });
  const history = storedHistory(points.sort(byDate));
  const item: CustomerItem = {
    ...key,
    entity: 'customer',
    customerId: state.customerId,
    state: newer ? withPreviousState(state, existing?.state) : existing.state,
    lastSnapshotDate,
    firstSeen: existing && existing.firstSeen < date ? existing.firstSeen : date,
    history,
  };
  return { item, change: !existing ? 'created' : newer ? 'updated' : 'history-only' };
}
