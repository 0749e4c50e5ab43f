import { describe, expect, it } from 'vitest';
import { customerStateFrom } from '../../lambdas/domain/customer';
import { daysToTermEnd, termDay, termWeek } from '../../lambdas/domain/lifecycleClock';
import {
  deploymentPct,
  portfolioKpis,
  utilizationChange30d,
  utilizationPct,
} from '../../lambdas/domain/metrics';
import type { SnapshotRow } from '../../lambdas/domain/snapshot/snapshotRow';
import { customerState, usagePoint } from '../helpers/customerFactory';

describe('metrics', () => {
  it('computes deployment and utilization over paid seats, keeping values above 100 %', () => {
    // Prepare
    const seats = { licensesPurchased: 10, licensesAssigned: 8, activeUsers: 12 };

    // Assess
    expect(deploymentPct(seats)).toBe(80);
    expect(utilizationPct(seats)).toBe(120);
    expect(utilizationPct({ ...seats, licensesPurchased: 0 })).toBeNull();
  });

  it('compares utilization with the point about 30 days earlier and says nothing without one', () => {
    // Prepare
    const now = customerState({ date: '2026-06-30', activeUsers: 16 });
    const history = [
      usagePoint(now, { snapshotDate: '2026-05-20', activeUsers: 4 }),
      usagePoint(now, { snapshotDate: '2026-05-29', activeUsers: 10 }),
      usagePoint(now, { snapshotDate: '2026-06-15', activeUsers: 14 }),
    ];

    // Assess: 2026-05-29 is the latest point at or before 30 days ago
    expect(utilizationChange30d(now, history)).toBe(30);
    expect(utilizationChange30d(now, history.slice(2))).toBeNull();
    expect(utilizationChange30d(now, [usagePoint(now, { snapshotDate: '2026-01-01' })])).toBeNull();
  });

  it('sums a customer over the lines of its current term only', () => {
    // Prepare
    const base = {
      customerId: 'C1',
      customerName: 'Atlas',
      adminEmail: 'a@atlas.example',
      ownerEmail: 'o@reseller.example',
      termStart: '2026-01-01',
      termEnd: '2027-01-01',
    };
    const rows: SnapshotRow[] = [
      { ...base, product: 'B', licensesPurchased: 10, licensesAssigned: 5, activeUsers: 4 },
      { ...base, product: 'A', licensesPurchased: 20, licensesAssigned: 20, activeUsers: 14 },
      {
        ...base,
        product: 'Old',
        termStart: '2025-01-01',
        termEnd: '2026-01-01',
        licensesPurchased: 9,
        licensesAssigned: 9,
        activeUsers: 9,
      },
    ];

    // Act
    const state = customerStateFrom(rows, '2026-03-01', {
      defaultLocale: 'fr',
      defaultTimezone: 'Europe/Paris',
    });

    // Assess
    expect(state).toMatchObject({
      licensesPurchased: 30,
      licensesAssigned: 25,
      activeUsers: 18,
      termEnd: '2027-01-01',
      locale: 'fr',
    });
    expect(state.lines.map((l) => l.product)).toEqual(['A', 'B', 'Old']);
  });

  it('counts portfolio KPIs against their targets', () => {
    // Prepare
    const healthy = customerState({ customerId: 'A', activeUsers: 18 });
    const low = customerState({ customerId: 'B', activeUsers: 6 });
    const rising = customerState({ customerId: 'C', date: '2026-04-01', activeUsers: 15 });
    const customers = [
      { state: healthy, history: [] },
      { state: low, history: [] },
      { state: rising, history: [usagePoint(rising, { snapshotDate: '2026-03-01', activeUsers: 10 })] },
    ];

    // Act
    const kpis = portfolioKpis(customers);

    // Assess
    expect(kpis.belowSixtyPct).toMatchObject({ value: 1, target: 10, met: true });
    expect(kpis.averageUtilizationPct.value).toBeCloseTo((90 + 30 + 75) / 3);
    expect(kpis.averageUtilizationPct.met).toBe(false);
    expect(kpis.risingCustomers).toBe(1);
  });
});

describe('lifecycle clock', () => {
  const term = { termStart: '2026-03-02', termEnd: '2027-03-02' };

  it('counts term days and weeks from term_start', () => {
    expect(termDay(term, '2026-03-02')).toBe(0);
    expect(termWeek(term, '2026-03-02')).toBe(1);
    expect(termWeek(term, '2026-03-08')).toBe(1);
    expect(termWeek(term, '2026-03-09')).toBe(2);
    expect(termWeek(term, '2026-12-07')).toBe(41);
  });

  it('counts the days left until term_end', () => {
    expect(daysToTermEnd(term, '2026-12-08')).toBe(84);
    expect(daysToTermEnd({ ...term, termEnd: '2029-03-02' }, '2028-12-08')).toBe(84);
  });

  it('counts no end for a rolling (monthly) term', () => {
    expect(daysToTermEnd({ ...term, termEnd: null }, '2026-12-08')).toBe(Number.POSITIVE_INFINITY);
  });
});
