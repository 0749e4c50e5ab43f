import type { CustomerState, UsagePoint } from '../../domain/customer';
import { addDays, type IsoDate } from '../../domain/dates';

/** Days of per-night figures kept on a customer's item: enough for 30-day trends with room to spare. */
export const HISTORY_DAYS = 100;

/** A history point as stored: [termStart, termEnd, purchased, assigned, active], keyed by snapshot date. */
export type StoredPoint = [IsoDate, IsoDate, number, number, number];

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
  return [point.termStart, point.termEnd, point.licensesPurchased, point.licensesAssigned, point.activeUsers];
}

/** The history as UsagePoints, oldest first, without points beyond the kept window. */
export function historyOf(item: Pick<CustomerItem, 'history' | 'lastSnapshotDate'>): UsagePoint[] {
  const oldest = addDays(item.lastSnapshotDate, -HISTORY_DAYS);
  return Object.entries(item.history ?? {})
    .filter(([date]) => date >= oldest)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([snapshotDate, [termStart, termEnd, licensesPurchased, licensesAssigned, activeUsers]]) => ({
      snapshotDate,
      termStart,
      termEnd,
      licensesPurchased,
      licensesAssigned,
      activeUsers,
    }));
}

/** History keys that fall out of the window when `date` is written: a week's worth, so skipped days go too. */
export function expiringHistoryDates(date: IsoDate): IsoDate[] {
  return Array.from({ length: 7 }, (_, i) => addDays(date, -HISTORY_DAYS - 1 - i));
}
