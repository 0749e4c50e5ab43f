import { describe, expect, it } from 'vitest';
import {
  type CustomerItem,
  HISTORY_DAYS,
  historyOf,
  historyText,
  mergeCustomerItem,
  stateOf,
} from '../../../lambdas/adapters/dynamodb/customerItem';
import { packText } from '../../../lambdas/adapters/dynamodb/packedText';
import { keys } from '../../../lambdas/adapters/dynamodb/tableDesign';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { addDays } from '../../../lambdas/domain/dates';
import { customerState } from '../../helpers/customerFactory';

const key = keys.customer('C-1') as { pk: string; sk: 'STATE' };

/** An item as versions before the packed value wrote it: the same, without `stateAndHistory`. */
const earlier = ({ stateAndHistory: _, ...item }: CustomerItem): CustomerItem => item;
const night = (date: string, activeUsers: number) => {
  const state = customerState({ date, activeUsers });
  return { state, point: usagePointOf(state) };
};

describe('a customer item night by night', () => {
  it('replaces the state with newer data and keeps the older figures as history', () => {
    // Prepare
    const first = night('2026-03-01', 10);
    const { item: created, change: c1 } = mergeCustomerItem(undefined, key, first.state, first.point);

    // Act
    const second = night('2026-03-02', 12);
    const { item, change } = mergeCustomerItem(created, key, second.state, second.point);

    // Assess
    expect([c1, change]).toEqual(['created', 'updated']);
    expect(item).toMatchObject({ lastSnapshotDate: '2026-03-02', firstSeen: '2026-03-01' });
    expect(stateOf(item)).toMatchObject({ activeUsers: 12 });
    expect(historyOf(item).map((p) => [p.snapshotDate, p.activeUsers])).toEqual([
      ['2026-03-01', 10],
      ['2026-03-02', 12],
    ]);
  });

  it('lets an older file add history and move firstSeen back, never replace the state', () => {
    // Prepare
    const latest = night('2026-03-10', 9);
    const { item: current } = mergeCustomerItem(undefined, key, latest.state, latest.point);

    // Act
    const late = night('2026-03-01', 2);
    const { item, change } = mergeCustomerItem(current, key, late.state, late.point);

    // Assess
    expect(change).toBe('history-only');
    expect(item).toMatchObject({ lastSnapshotDate: '2026-03-10', firstSeen: '2026-03-01' });
    expect(stateOf(item)).toMatchObject({ activeUsers: 9 });
    expect(historyOf(item)[0]).toMatchObject({
      snapshotDate: '2026-03-01',
      termStart: late.state.termStart,
      activeUsers: 2,
    });
  });

  it('gives the same item when the same night is written again', () => {
    const n = night('2026-03-01', 10);
    const once = mergeCustomerItem(undefined, key, n.state, n.point).item;
    expect(mergeCustomerItem(once, key, n.state, n.point).item).toEqual(once);
  });

  it('keeps only the days a 30-day trend can look back to', () => {
    // Prepare
    let item: ReturnType<typeof mergeCustomerItem>['item'] | undefined;
    const start = '2026-01-01';

    // Act: 120 nights
    for (let i = 0; i < 120; i++) {
      const n = night(addDays(start, i), i);
      item = mergeCustomerItem(item, key, n.state, n.point).item;
    }

    // Assess
    const days = historyOf(item!).map((p) => p.snapshotDate);
    expect(days).toHaveLength(HISTORY_DAYS + 1);
    expect(days[0]).toBe(addDays(start, 119 - HISTORY_DAYS));
    expect(HISTORY_DAYS).toBeGreaterThanOrEqual(45);
  });

  it('stores the term only where it changes, and reads every point back with its term across a renewal', () => {
    // Prepare: five nights, renewed on the fourth (term_end moves a year on)
    let item: ReturnType<typeof mergeCustomerItem>['item'] | undefined;
    const nights = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];

    // Act
    for (const [i, date] of nights.entries()) {
      const state = customerState({
        date,
        termStart: i < 3 ? '2025-03-04' : '2026-03-04',
        termEnd: i < 3 ? '2026-03-04' : '2027-03-04',
        activeUsers: 10 + i,
      });
      item = mergeCustomerItem(item, key, state, usagePointOf(state)).item;
    }

    // Assess
    expect(historyText(item!)).toBe(
      [
        '2026-03-01=2025-03-04|2026-03-04|20|20|10',
        '2026-03-02=20|20|11',
        '2026-03-03=20|20|12',
        '2026-03-04=2026-03-04|2027-03-04|20|20|13',
        '2026-03-05=20|20|14',
      ].join(' '),
    );
    expect(historyOf(item!).map((p) => [p.snapshotDate, p.termEnd, p.activeUsers])).toEqual([
      ['2026-03-01', '2026-03-04', 10],
      ['2026-03-02', '2026-03-04', 11],
      ['2026-03-03', '2026-03-04', 12],
      ['2026-03-04', '2027-03-04', 13],
      ['2026-03-05', '2027-03-04', 14],
    ]);
  });

  it('keeps the term on the oldest point as days drop out', () => {
    // Prepare
    let item: ReturnType<typeof mergeCustomerItem>['item'] | undefined;
    for (let i = 0; i < HISTORY_DAYS + 5; i++) {
      const state = customerState({
        date: addDays('2026-01-01', i),
        termStart: '2025-12-01',
        activeUsers: i,
      });
      item = mergeCustomerItem(item, key, state, usagePointOf(state)).item;
    }

    // Assess
    const oldest = historyText(item!).split(' ')[0]!;
    expect(oldest.split('=')[1]!.split('|')).toHaveLength(5);
    expect(historyOf(item!).every((p) => p.termStart === '2025-12-01')).toBe(true);
    expect(historyOf(item!)).toHaveLength(HISTORY_DAYS + 1);
  });
});

describe('facts a customer item keeps across nights', () => {
  it('keeps unknown active users and a monthly term unknown in the history', () => {
    // Prepare
    const state = customerState({ date: '2026-03-01', activeUsers: null, termEnd: null });

    // Act
    const { item } = mergeCustomerItem(undefined, key, state, usagePointOf(state));

    // Assess
    expect(historyOf(item)[0]).toMatchObject({ activeUsers: null, termEnd: null });
  });

  it('records an admin change when a later export names another address, not another spelling', () => {
    // Prepare
    const before = customerState({ date: '2026-03-01', adminEmail: 'Lena.Wagner@nordstone.example' });
    const { item: first } = mergeCustomerItem(undefined, key, before, usagePointOf(before));
    const respelled = customerState({ date: '2026-03-02', adminEmail: 'lena.wagner@Nordstone.example' });
    const { item: second } = mergeCustomerItem(first, key, respelled, usagePointOf(respelled));

    // Act
    const changed = customerState({ date: '2026-03-03', adminEmail: 'jonas.becker@nordstone.example' });
    const { item } = mergeCustomerItem(second, key, changed, usagePointOf(changed));

    // Assess
    expect(stateOf(second).adminChange).toBeUndefined();
    expect(stateOf(item).adminChange).toEqual({
      fromEmail: 'lena.wagner@Nordstone.example',
      fromName: 'Lena Wagner',
      on: '2026-03-03',
    });
  });

  it('reads and updates an item whose state was written as a map, before it was stored as one value', () => {
    // Prepare: the item as an earlier version wrote it
    const before = night('2026-03-01', 10);
    const { item: written } = mergeCustomerItem(undefined, key, before.state, before.point);
    const asMap: CustomerItem = { ...earlier(written), state: before.state, history: historyText(written) };

    // Act
    const next = night('2026-03-02', 12);
    const { item, change } = mergeCustomerItem(asMap, key, next.state, next.point);

    // Assess
    expect(stateOf(asMap)).toEqual(before.state);
    expect(change).toBe('updated');
    expect(item.stateAndHistory).toBeInstanceOf(Uint8Array);
    expect(item.state).toBeUndefined();
    expect(stateOf(item)).toMatchObject({ activeUsers: 12 });
    expect(historyOf(item)).toHaveLength(2);
  });

  it('reads and updates an item written with its state and history as unpacked text', () => {
    // Prepare: the item as the previous version wrote it
    const before = night('2026-03-01', 10);
    const { item: written } = mergeCustomerItem(undefined, key, before.state, before.point);
    const asText: CustomerItem = {
      ...earlier(written),
      state: JSON.stringify(stateOf(written)),
      history: historyText(written),
    };

    // Act
    const next = night('2026-03-02', 12);
    const { item, change } = mergeCustomerItem(asText, key, next.state, next.point);

    // Assess
    expect(stateOf(asText)).toEqual(stateOf(written));
    expect(historyOf(asText)).toEqual(historyOf(written));
    expect(change).toBe('updated');
    expect(historyOf(item).map((p) => [p.snapshotDate, p.activeUsers])).toEqual([
      ['2026-03-01', 10],
      ['2026-03-02', 12],
    ]);
  });

  it('reads and updates an item written with its state and history packed apart, and writes them as one value', () => {
    // Prepare: the item as the version before wrote it, two packed attributes
    const before = night('2026-03-01', 10);
    const { item: written } = mergeCustomerItem(undefined, key, before.state, before.point);
    const apart: CustomerItem = {
      ...earlier(written),
      state: packText(JSON.stringify(stateOf(written))),
      history: packText(historyText(written)),
    };

    // Act: a newer night, and an older file that only adds its figures
    const next = night('2026-03-02', 12);
    const { item, change } = mergeCustomerItem(apart, key, next.state, next.point);
    const late = night('2026-02-28', 8);
    const { item: withLate } = mergeCustomerItem(apart, key, late.state, late.point);

    // Assess
    expect(stateOf(apart)).toEqual(stateOf(written));
    expect(historyOf(apart)).toEqual(historyOf(written));
    expect(change).toBe('updated');
    expect(item.state).toBeUndefined();
    expect(item.history).toBeUndefined();
    expect(stateOf(item)).toMatchObject({ activeUsers: 12 });
    expect(historyOf(item).map((p) => [p.snapshotDate, p.activeUsers])).toEqual([
      ['2026-03-01', 10],
      ['2026-03-02', 12],
    ]);
    expect(stateOf(withLate)).toEqual(stateOf(written));
    expect(historyOf(withLate).map((p) => p.snapshotDate)).toEqual(['2026-02-28', '2026-03-01']);
  });

  it('stores the state and history packed: a third of their text or less', () => {
    // Prepare: fifty nights of a customer with three product lines
    let item: CustomerItem | undefined;
    for (let i = 0; i < 50; i++) {
      const n = night(addDays('2026-03-01', i), 10 + (i % 3));
      item = mergeCustomerItem(item, key, n.state, n.point).item;
    }

    // Assess
    const text = Buffer.byteLength(JSON.stringify(stateOf(item!))) + Buffer.byteLength(historyText(item!));
    const stored = item!.stateAndHistory!.byteLength;
    expect(stored).toBeLessThan(text / 3);
  });
});
