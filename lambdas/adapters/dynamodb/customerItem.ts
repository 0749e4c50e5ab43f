import type { CustomerState, UsagePoint } from '../../domain/customer';
import { addDays, type IsoDate } from '../../domain/dates';
import { TREND_DAYS, TREND_TOLERANCE_DAYS } from '../../domain/metrics';
import type { CustomerWrite } from '../../ports/ingestStore';

/**
 * Days of per-night figures kept on a customer's item: what a 30-day trend may look back to (30 days plus the
 * tolerance for skipped exports), and a few days more. Every evaluation reads this, so it is kept no longer.
 */
export const HISTORY_DAYS = TREND_DAYS + TREND_TOLERANCE_DAYS + 5;

/**
 * A history point as stored: `termStart|termEnd|purchased|assigned|active`, keyed by snapshot date. One string
 * rather than a list of five typed values: the nightly Scan reads every customer's history, and a string is a
 * fifth of the attribute values to encode, send and decode.
 */
export type StoredPoint = string;

export interface CustomerItem {
  pk: string;
  sk: 'STATE';
  entity: 'customer';
  customerId: string;
  state: CustomerState;
  lastSnapshotDate: IsoDate;
  firstSeen: IsoDate;
  history: Record<IsoDate, StoredPoint>;
}

export function storedPoint(point: UsagePoint): StoredPoint {
  return `${point.termStart}|${point.termEnd}|${point.licensesPurchased}|${point.licensesAssigned}|${point.activeUsers}`;
}

/** The history as UsagePoints, oldest first, without points beyond the kept window. */
export function historyOf(item: Pick<CustomerItem, 'history' | 'lastSnapshotDate'>): UsagePoint[] {
  const oldest = addDays(item.lastSnapshotDate, -HISTORY_DAYS);
  const points: UsagePoint[] = [];
  for (const [snapshotDate, stored] of Object.entries(item.history ?? {})) {
    if (snapshotDate < oldest) continue;
    const [termStart = '', termEnd = '', purchased, assigned, active] = stored.split('|');
    points.push({
      snapshotDate,
      termStart,
      termEnd,
      licensesPurchased: Number(purchased),
      licensesAssigned: Number(assigned),
      activeUsers: Number(active),
    });
  }
  return points.sort((a, b) =>
    a.snapshotDate < b.snapshotDate ? -1 : a.snapshotDate > b.snapshotDate ? 1 : 0,
  );
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
  const history: Record<IsoDate, StoredPoint> = {};
  for (const [day, stored] of Object.entries({ ...existing?.history, [date]: storedPoint(point) })) {
    if (day >= oldest) history[day] = stored;
  }
  const item: CustomerItem = {
    ...key,
    entity: 'customer',
    customerId: state.customerId,
    state: newer ? state : existing.state,
    lastSnapshotDate,
    firstSeen: existing && existing.firstSeen < date ? existing.firstSeen : date,
    history,
  };
  return { item, change: !existing ? 'created' : newer ? 'updated' : 'history-only' };
}
