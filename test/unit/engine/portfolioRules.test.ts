import { describe, expect, it } from 'vitest';
import { emailDataOf } from '../../../lambdas/delivery/emailData';
import { normalizeAddress } from '../../../lambdas/domain/address';
import {
  type CustomerState,
  customerStateFrom,
  type LineRow,
  withPreviousState,
} from '../../../lambdas/domain/customer';
import { addDays, type IsoDate, todayIn } from '../../../lambdas/domain/dates';
import { localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';
import { customerRecord, customerState, usagePoint } from '../../helpers/customerFactory';
import { EngineRun, on } from '../../helpers/engineNights';

const TERM_START = '2026-03-02'; // a Monday
const day = (n: number) => addDays(TERM_START, n);

function snapshotRow(overrides: Partial<LineRow> = {}): LineRow {
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

const DEFAULTS = { defaultLocale: 'en', defaultTimezone: 'Europe/Berlin' } as const;

/** Acrobat on the March anniversary (5 seats), Creative Cloud added in September on its own term (30 seats). */
function twoSubscriptions(
  date: IsoDate,
  change: { acrobat?: Partial<LineRow> | 'gone'; creativeCloud?: Partial<LineRow> } = {},
): CustomerState {
  const rows: LineRow[] = [];
  if (change.acrobat !== 'gone')
    rows.push(
      snapshotRow({
        product: 'ACRO-PRO',
        productName: 'Acrobat Pro',
        licensesPurchased: 5,
        licensesAssigned: 5,
        activeUsers: 4,
        termStart: '2026-03-02',
        termEnd: '2027-03-02',
        ...change.acrobat,
      }),
    );
  rows.push(
    snapshotRow({
      product: 'CC-ALL',
      productName: 'Creative Cloud All Apps',
      licensesPurchased: 30,
      licensesAssigned: 28,
      activeUsers: 25,
      termStart: '2026-09-01',
      termEnd: '2027-09-01',
      ...change.creativeCloud,
    }),
  );
  return customerStateFrom(rows, date, DEFAULTS);
}

/** Replays one customer night by night from `from` to `to` (inclusive), its state given per night. */
function replay(run: EngineRun, from: IsoDate, to: IsoDate, stateOn: (date: IsoDate) => CustomerState) {
  for (let date = from; date <= to; date = addDays(date, 1))
    run.night(date, [customerRecord(stateOn(date), { firstSeen: '2026-03-02' })]);
}

describe('subscription terms as the unit of renewal', () => {
  it('opens one renewal per term, 84 days before its own term_end, with its own seats and products', () => {
    // Prepare
    const run = new EngineRun();

    // Act
    replay(run, '2026-12-01', '2027-06-15', (date) => twoSubscriptions(date));

    // Assess
    const renewals = run.casesOf('renewal').sort((a, b) => (a.termEnd < b.termEnd ? -1 : 1));
    expect(renewals.map((c) => [c.termEnd, c.anchorOn, c.steps[0]?.variant])).toEqual([
      ['2027-03-02', '2026-12-08', 'small'],
      ['2027-09-01', '2027-06-09', 'large'],
    ]);
    const state = twoSubscriptions('2026-12-08');
    const data = emailDataOf(state, [], '2026-12-08', 'https://u.example', renewals[0]);
    expect(data.products.map((p) => p.name)).toEqual(['Acrobat Pro']);
    expect(data.seatsPurchased).toBe(5);
    expect(data.termEnd).toBe('2027-03-02');
  });

  it('sends a win-back the day after a term lapses while another term runs on', () => {
    // Prepare
    const run = new EngineRun();

    // Act: the Acrobat line stays in the export with its old term_end
    replay(run, '2026-12-08', '2027-03-10', (date) => twoSubscriptions(date));

    // Assess
    const renewal = run.casesOf('renewal').find((c) => c.termEnd === '2027-03-02')!;
    expect(renewal.status).toBe('closed');
    const winback = run.casesOf('winback');
    expect(winback.map((c) => [c.termEnd, c.anchorOn])).toEqual([['2027-03-02', '2027-03-03']]);
    expect(run.emails().find((e) => e.template === 'winback')?.dueOn).toBe('2027-03-03');
  });

  it('sends a win-back when the lapsed term leaves the export while the customer stays', () => {
    // Prepare
    const run = new EngineRun();

    // Act: after its term_end, the Acrobat line is no longer exported
    replay(run, '2026-12-08', '2027-03-10', (date) =>
      twoSubscriptions(date, date > '2027-03-02' ? { acrobat: 'gone' } : {}),
    );

    // Assess
    expect(run.casesOf('winback').map((c) => [c.termEnd, c.anchorOn])).toEqual([
      ['2027-03-02', '2027-03-03'],
    ]);
  });

  it('resolves a term renewed by a later term_end of its own lines, and opens no win-back', () => {
    // Prepare
    const run = new EngineRun();

    // Act: renewed for a year on 2027-02-15
    replay(run, '2026-12-08', '2027-03-10', (date) =>
      twoSubscriptions(
        date,
        date >= '2027-02-15' ? { acrobat: { termStart: '2027-03-02', termEnd: '2028-03-02' } } : {},
      ),
    );

    // Assess
    const renewal = run.casesOf('renewal').find((c) => c.termEnd === '2027-03-02')!;
    expect(renewal.status).toBe('resolved');
    expect(renewal.resolvedOn).toBe('2027-02-15');
    expect(run.casesOf('winback')).toEqual([]);
  });

  it('does not count a new subscription on a later term as the renewal of another', () => {
    // Prepare: a one-subscription customer who adds a second product on its own term in February
    const run = new EngineRun();

    // Act
    replay(run, '2026-12-08', '2027-03-05', (date) => {
      const state = twoSubscriptions(date);
      return date >= '2027-02-01'
        ? state
        : customerStateFrom(
            state.lines.filter((l) => l.product === 'ACRO-PRO').map((l) => snapshotRow(l)),
            date,
            DEFAULTS,
          );
    });

    // Assess
    expect(run.casesOf('renewal').find((c) => c.termEnd === '2027-03-02')?.status).not.toBe('resolved');
    expect(run.casesOf('winback').map((c) => c.termEnd)).toEqual(['2027-03-02']);
  });

  it('matches lines by subscription id when the export has one', () => {
    // Prepare: two subscriptions of one product; only the one ending in March is renewed
    const rowsOn = (date: IsoDate) => [
      snapshotRow({
        product: 'CC-ALL',
        subscriptionId: 'S-1',
        termStart: '2026-03-02',
        termEnd: date >= '2027-02-20' ? '2028-03-02' : '2027-03-02',
      }),
      snapshotRow({
        product: 'CC-ALL',
        subscriptionId: 'S-2',
        termStart: '2026-06-01',
        termEnd: '2027-06-01',
      }),
    ];
    const run = new EngineRun();

    // Act
    replay(run, '2026-12-08', '2027-03-05', (date) => customerStateFrom(rowsOn(date), date, DEFAULTS));

    // Assess
    expect(run.casesOf('renewal').map((c) => [c.termEnd, c.status, c.resolvedOn])).toEqual([
      ['2027-03-02', 'resolved', '2027-02-20'],
    ]);
    expect(run.casesOf('winback')).toEqual([]);
  });
});

describe('optional facts', () => {
  it('without active users: no usage play opens, deployment still does', () => {
    // Prepare: week 5, half the seats assigned, the export gives no active users
    const run = new EngineRun();
    const rows = [snapshotRow({ licensesPurchased: 10, licensesAssigned: 5, activeUsers: null })];
    const state = customerStateFrom(rows, day(7), DEFAULTS);

    // Act
    replay(run, day(7), day(40), (date) => customerStateFrom(rows, date, DEFAULTS));

    // Assess
    expect(state.activeUsers).toBeNull();
    expect(run.casesOf('deployment')).toHaveLength(1);
    expect(run.casesOf('activation')).toEqual([]);
    expect(run.casesOf('growth')).toEqual([]);
    expect(run.casesOf('usage-drop')).toEqual([]);
    const data = emailDataOf(state, [], day(7), 'https://u.example');
    expect(data.utilizationPct).toBeNull();
    expect(data.products[0]?.active).toBeNull();
  });

  it('monthly lines (no term_end) get adoption plays but no renewal or win-back', () => {
    // Prepare
    const run = new EngineRun();
    const rows = [snapshotRow({ licensesPurchased: 10, licensesAssigned: 2, activeUsers: 2, termEnd: null })];

    // Act
    replay(run, day(0), day(400), (date) => customerStateFrom(rows, date, DEFAULTS));

    // Assess
    expect(run.casesOf('welcome')).toHaveLength(1);
    expect(run.casesOf('deployment')).toHaveLength(1);
    expect(run.casesOf('activation')).toHaveLength(1);
    expect(run.casesOf('renewal')).toEqual([]);
    expect(run.casesOf('winback')).toEqual([]);
  });

  it('an auto-renewing term gets the auto renewal variant and no last call', () => {
    // Prepare
    const run = new EngineRun();
    const rows = [snapshotRow({ autoRenew: true })];

    // Act
    run.night('2026-12-08', [customerRecord(customerStateFrom(rows, '2026-12-08', DEFAULTS))]);

    // Assess
    const [renewal] = run.casesOf('renewal');
    expect(
      renewal?.steps.filter((s) => s.kind === 'email').map((s) => [s.template, s.variant, s.status]),
    ).toEqual([
      ['renewal', 'auto', 'scheduled'],
      ['renewal-followup', null, 'scheduled'],
      ['renewal-last-call', null, 'skipped'],
    ]);
  });

  it('names products as customers know them', () => {
    // Prepare
    const state = customerStateFrom(
      [snapshotRow({ product: '65304522CA01A12', productName: 'Acrobat Pro' })],
      day(0),
      DEFAULTS,
    );

    // Act
    const data = emailDataOf(state, [], day(0), 'https://u.example');

    // Assess
    expect(data.products.map((p) => p.name)).toEqual(['Acrobat Pro']);
  });
});

describe('admin change', () => {
  const oldAdmin = (date: IsoDate) =>
    customerStateFrom(
      [snapshotRow({ adminEmail: 'Javier.Molina@costaverde.example', adminName: 'Javier Molina' })],
      date,
      DEFAULTS,
    );
  const newAdmin = (date: IsoDate) =>
    customerStateFrom(
      [snapshotRow({ adminEmail: 'lucia.romero@costaverde.example', adminName: 'Lucía Romero' })],
      date,
      DEFAULTS,
    );

  it('is recorded when a later export names a different address, and kept on the nights after', () => {
    // Act
    const changed = withPreviousState(newAdmin('2026-12-09'), oldAdmin('2026-12-08'));
    const next = withPreviousState(newAdmin('2026-12-10'), changed);
    const respelled = withPreviousState(
      customerStateFrom(
        [snapshotRow({ adminEmail: ' JAVIER.MOLINA@costaverde.example' })],
        '2026-12-09',
        DEFAULTS,
      ),
      oldAdmin('2026-12-08'),
    );

    // Assess
    expect(changed.adminChange).toEqual({
      fromEmail: 'Javier.Molina@costaverde.example',
      fromName: 'Javier Molina',
      on: '2026-12-09',
    });
    expect(next.adminChange).toEqual(changed.adminChange);
    expect(respelled.adminChange).toBeUndefined();
  });

  it('opens a call task and a new-admin email to the new admin; open cases write to the new admin', () => {
    // Prepare: a renewal case open for the old admin since 2026-12-08
    const run = new EngineRun();
    replay(run, '2026-12-08', '2026-12-08', oldAdmin);

    // Act: the export names a new admin on Wednesday 2026-12-09
    let state = oldAdmin('2026-12-08');
    for (let date = '2026-12-09'; date <= '2026-12-31'; date = addDays(date, 1)) {
      state = withPreviousState(newAdmin(date), state);
      run.night(date, [customerRecord(state, { firstSeen: '2026-03-02' })]);
    }

    // Assess
    const [change] = run.casesOf('admin-change');
    expect(change?.steps.map((s) => [s.kind, s.template ?? s.task, s.dueOn])).toEqual([
      ['task', 'new-admin-call', '2026-12-09'],
      ['email', 'new-admin', '2026-12-09'],
    ]);
    expect(run.casesOf('admin-change')).toHaveLength(1);
    const renewal = run.casesOf('renewal')[0]!;
    expect(renewal.recipient).toBe('lucia.romero@costaverde.example');
    const pending = run.emails().filter((e) => e.dueOn >= '2026-12-09');
    expect(new Set(pending.map((e) => e.to))).toEqual(new Set(['lucia.romero@costaverde.example']));
    expect(new Set(pending.map((e) => e.dueOn)).size).toBe(pending.length);
  });
});
