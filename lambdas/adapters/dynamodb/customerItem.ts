import { type CustomerState, type UsagePoint, withPreviousState } from '../../domain/customer';
import { addDays, type IsoDate } from '../../domain/dates';
import { TREND_DAYS, TREND_TOLERANCE_DAYS } from '../../domain/metrics';
import type { CustomerWrite } from '../../ports/ingestStore';
import { isPacked, type PackedText, packText, unpackText } from './packedText';

/**
 * Days of per-night figures kept on a customer's item: what a 30-day trend may look back to (30 days plus the
 * tolerance for skipped exports), and a few days more. Every evaluation reads this, so it is kept no longer.
 */
export const HISTORY_DAYS = TREND_DAYS + TREND_TOLERANCE_DAYS + 5;

/**
 * The history's text: points in date order, `date=purchased|assigned|active`, with
 * `date=termStart|termEnd|purchased|assigned|active` on the oldest point and wherever the term changes (a
 * renewal), separated by spaces. One text rather than a map of fifty: the nightly Scan and the ingest read and
 * write every customer's history, and each attribute costs encoding and decoding on both sides.
 */
export type StoredHistory = PackedText | string;

/** The state as earlier versions stored it on its own: its JSON (packed or not), or a map. */
export type StoredState = PackedText | string;

/**
 * A customer's item. The state's JSON and the history's text are stored as one packed value, `stateAndHistory`
 * (the JSON, a newline, the text; packedText.ts): the ingest writes both every night and every read of a customer
 * takes both, whole, never by path, and each packing or unpacking costs tens of microseconds however short the
 * text, so one value costs half of two (a year's local run packs and unpacks some 600,000 times). Items written
 * before, with `state` (packed JSON, JSON or a map) and `history` (packed or not) as their own attributes, still
 * read, and are written in the one value when next merged.
 */
export interface CustomerItem {
  pk: string;
  sk: 'STATE';
  entity: 'customer';
  customerId: string;
  stateAndHistory?: PackedText;
  state?: StoredState | CustomerState;
  history?: StoredHistory;
  lastSnapshotDate: IsoDate;
  firstSeen: IsoDate;
}

type StoredParts = Pick<CustomerItem, 'stateAndHistory' | 'state' | 'history'>;

/** The two texts of an item's packed value, unpacked once per item however many readers ask. */
const unpacked = new WeakMap<object, { state: string; history: string }>();

function partsOf(item: StoredParts): { state: string; history: string } | undefined {
  if (!isPacked(item.stateAndHistory)) return undefined;
  let parts = unpacked.get(item);
  if (!parts) {
    const text = unpackText(item.stateAndHistory);
    // JSON never holds a bare newline (JSON.stringify escapes them in strings): the first one ends the state.
    const newline = text.indexOf('\n');
    parts = { state: text.slice(0, newline), history: text.slice(newline + 1) };
    unpacked.set(item, parts);
  }
  return parts;
}

/** The state's JSON text, from either layout. */
function stateText(item: StoredParts): string {
  const parts = partsOf(item);
  if (parts) return parts.state;
  const { state } = item;
  return isPacked(state) || typeof state === 'string' ? unpackText(state) : JSON.stringify(state);
}

/** The customer's state, from the packed value, or as an earlier version stored it (packed JSON, JSON, a map). */
export function stateOf(item: StoredParts): CustomerState {
  const { state } = item;
  // A map, the earliest layout, is the state itself; every other layout holds its JSON.
  if (!isPacked(item.stateAndHistory) && typeof state === 'object' && !isPacked(state))
    return state as CustomerState;
  return JSON.parse(stateText(item)) as CustomerState;
}

/** The history's stored text (see StoredHistory). */
export function historyText(item: StoredParts): string {
  const parts = partsOf(item);
  if (parts) return parts.history;
  return item.history === undefined ? '' : unpackText(item.history);
}

/** Points in date order, written with the term only where it changes. */
export function storedHistory(points: readonly UsagePoint[]): string {
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

/**
 * The history as UsagePoints, oldest first, without points beyond the kept window. Read with indexOf rather than
 * split: every evaluation and every ingest reads every customer's history (a year's local run some 120,000 times),
 * and the arrays split makes cost more than the figures.
 */
export function historyOf(item: StoredParts & Pick<CustomerItem, 'lastSnapshotDate'>): UsagePoint[] {
  const oldest = addDays(item.lastSnapshotDate, -HISTORY_DAYS);
  const stored = historyText(item);
  const points: UsagePoint[] = [];
  let termStart = '';
  let termEnd: string | null = null;
  for (let at = 0; at < stored.length; ) {
    let end = stored.indexOf(' ', at);
    if (end === -1) end = stored.length;
    const equals = stored.indexOf('=', at);
    if (end > at && equals !== -1 && equals < end) {
      const snapshotDate = stored.slice(at, equals);
      // date=purchased|assigned|active, or date=termStart|termEnd|purchased|assigned|active where the term changes.
      const bars: number[] = [];
      for (let bar = stored.indexOf('|', equals); bar !== -1 && bar < end; bar = stored.indexOf('|', bar + 1))
        bars.push(bar);
      let figures = equals;
      // A point without a term has the one of the point before it (the oldest always carries one).
      if (bars.length === 4) {
        termStart = stored.slice(equals + 1, bars[0]);
        termEnd = stored.slice(bars[0]! + 1, bars[1]) || null;
        figures = bars[1]!;
        bars.splice(0, 2);
      }
      if (bars.length === 2 && snapshotDate >= oldest) {
        const active = stored.slice(bars[1]! + 1, end);
        points.push({
          snapshotDate,
          termStart,
          termEnd,
          licensesPurchased: Number(stored.slice(figures + 1, bars[0])),
          licensesAssigned: Number(stored.slice(bars[0]! + 1, bars[1])),
          activeUsers: active ? Number(active) : null,
        });
      }
    }
    at = end + 1;
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
  const json = newer
    ? JSON.stringify(withPreviousState(state, existing && stateOf(existing)))
    : stateText(existing);
  const item: CustomerItem = {
    ...key,
    entity: 'customer',
    customerId: state.customerId,
    stateAndHistory: packText(`${json}\n${history}`),
    lastSnapshotDate,
    firstSeen: existing && existing.firstSeen < date ? existing.firstSeen : date,
  };
  // Its texts are known: a reader of the new item (the ingest's repeat check) need not unpack it.
  unpacked.set(item, { state: json, history });
  return { item, change: !existing ? 'created' : newer ? 'updated' : 'history-only' };
}
