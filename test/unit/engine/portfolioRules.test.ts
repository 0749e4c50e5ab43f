import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../../lambdas/domain/address';
import { customerStateFrom } from '../../../lambdas/domain/customer';
import { addDays, todayIn } from '../../../lambdas/domain/dates';
import { localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';
import type { SnapshotRow } from '../../../lambdas/domain/snapshot/snapshotRow';
import { customerRecord, customerState, usagePoint } from '../../helpers/customerFactory';
import { EngineRun, on } from '../../helpers/engineNights';

const TERM_START = '2026-03-02'; // a Monday
const day = (n: number) => addDays(TERM_START, n);

function snapshotRow(overrides: Partial<SnapshotRow> = {}): SnapshotRow {
  return {
    customerId: 'C-1',
    customerName: 'Nordstone Design GmbH',
    adminEmail: 'lena.wagner@nordstone.example',
    ownerEmail: 'dana.owner@reseller.example',
    product: 'Creative Cloud All Apps',
    licensesPurchased: 10,
    licensesAssigned: 8,
    activeUsers: 6,
    termStart: TERM_START,
    termEnd: '2027-03-02',
    ...overrides,
  };
}

describe('welcome of a customer provisioned before its term starts', () => {
  it('waits for term_start and goes in term week 1', () => {
    // Prepare: first seen ten days before the term starts
    const run = new EngineRun();
    const early = customerState({ termStart: TERM_START, date: day(-10) });
    const history = [usagePoint(early)];

    // Act
    for (let n = -10; n <= 3; n++)
      run.night(day(n), [customerRecord(on(early, day(n)), { firstSeen: day(-10), history })]);

    // Assess
    expect(run.emails().filter((e) => e.template === 'welcome')).toEqual([
      expect.objectContaining({ dueOn: day(0) }),
    ]);
  });

  it('is not sent when the customer was first seen on an earlier term', () => {
    // Prepare: seen since the previous term; the history's first point is on that term
    const run = new EngineRun();
    const renewed = customerState({ termStart: TERM_START, date: day(0) });
    const history = [
      usagePoint(renewed, { snapshotDate: day(-40), termStart: '2025-03-02', termEnd: day(0) }),
    ];

    // Act
    run.night(day(0), [customerRecord(renewed, { firstSeen: day(-40), history })]);

    // Assess
    expect(run.casesOf('welcome')).toEqual([]);
  });
});

describe('activation variant one-more', () => {
  it.each([
    ['one seat, nobody active', 1, 0, 'standard'],
    ['two seats, one active', 2, 1, 'one-more'],
    ['ten seats, nine active', 10, 5, 'standard'],
  ])('%s: %s', (_name, seats, active, variant) => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({
      termStart: TERM_START,
      date: day(30),
      licensesPurchased: seats,
      licensesAssigned: seats,
      activeUsers: active,
    });

    // Act
    run.night(day(30), [customerRecord(state)]);

    // Assess
    expect(run.casesOf('activation')[0]?.steps[0]?.variant).toBe(variant);
  });
});

describe('admin addresses', () => {
  it('are trimmed and lower-cased once, and kept as written for display', () => {
    // Prepare
    const row = snapshotRow({ adminEmail: ' Lena.Wagner@Nordstone.example ' });

    // Act
    const state = customerStateFrom([row], '2026-03-02', {
      defaultLocale: 'en',
      defaultTimezone: 'Europe/Berlin',
    });

    // Assess
    expect(state.adminAddress).toBe('lena.wagner@nordstone.example');
    expect(state.adminEmail).toBe('Lena.Wagner@Nordstone.example');
    expect(normalizeAddress(state.adminEmail)).toBe(state.adminAddress);
  });

  it('suppress an admin however the export spells the address', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(0), adminEmail: 'Lena@X.example' });
    run.suppressed = new Set([normalizeAddress('lena@x.example')]);

    // Act
    run.night(day(0), [customerRecord(state)]);

    // Assess
    expect(run.emails()).toEqual([]);
    expect(run.casesOf('welcome')[0]?.steps.map((s) => s.task)).toContain('call-admin-suppressed');
  });

  it('give one admin spelled two ways one customer email a day', () => {
    // Prepare
    const run = new EngineRun();
    const a = customerState({
      customerId: 'A',
      termStart: TERM_START,
      date: day(0),
      adminEmail: 'Lena@X.example',
    });
    const b = customerState({
      customerId: 'B',
      termStart: TERM_START,
      date: day(0),
      adminEmail: 'lena@x.example ',
    });

    // Act
    run.night(day(0), [customerRecord(a), customerRecord(b)]);

    // Assess
    const emails = run.emails();
    expect(new Set(emails.map((e) => e.to))).toEqual(new Set(['lena@x.example']));
    expect(emails.map((e) => e.dueOn).sort()).toEqual([day(0), day(1)]);
  });
});

describe('one send day, decided once', () => {
  it('moves an email whose 09:30 has passed in the admin zone to the next business day, and books that day', () => {
    // Prepare: evaluated at 02:00 in Berlin, 10:00 in Tokyo; two customers share a Tokyo admin
    const run = new EngineRun();
    const now = localTimeToUtc(day(0), '02:00', 'Europe/Berlin');
    const tokyo = {
      termStart: TERM_START,
      date: day(0),
      timezone: 'Asia/Tokyo',
      adminEmail: 'kenji@tokyo.example',
    };
    const a = customerState({ ...tokyo, customerId: 'A' });
    const b = customerState({ ...tokyo, customerId: 'B' });

    // Act
    run.night(day(0), [customerRecord(a), customerRecord(b)], day(0), now);

    // Assess: Monday 09:30 in Tokyo has passed: Tuesday and Wednesday
    expect(
      run
        .emails()
        .map((e) => e.dueOn)
        .sort(),
    ).toEqual([day(1), day(2)]);
  });

  it('keeps the day when 09:30 is still ahead in the admin zone', () => {
    // Prepare
    const run = new EngineRun();
    const now = localTimeToUtc(day(0), '02:00', 'Europe/Berlin');
    const state = customerState({ termStart: TERM_START, date: day(0), timezone: 'America/Los_Angeles' });

    // Act
    run.night(day(0), [customerRecord(state)], day(0), now);

    // Assess
    expect(run.emails().map((e) => e.dueOn)).toEqual([day(0)]);
  });

  it('takes today as the date in the default zone', () => {
    const now = new Date('2026-03-01T15:00:00Z');
    expect(todayIn('Australia/Sydney', now)).toBe('2026-03-02');
    expect(todayIn('Europe/Berlin', now)).toBe('2026-03-01');
    expect(todayIn('Etc/GMT+12', new Date('2026-03-02T11:00:00Z'))).toBe('2026-03-01');
  });
});
