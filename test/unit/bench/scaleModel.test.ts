import { describe, expect, it } from 'vitest';
import { businessDaysFrom, largestBurstShare, nightMeasureOf } from '../../../bench/nightLoad';
import {
  type Deployment,
  largestShardFitting,
  type Measured,
  scaleRow,
  scaleTable,
  sendersFor,
  spreadOverDays,
} from '../../../bench/scaleModel';
import type { Case, CaseStep } from '../../../lambdas/domain/engine/cases';

const DEPLOYMENT: Deployment = {
  customersPerShard: { main: 50_000, other: 10_000 },
  shardConcurrency: 10,
  shardTimeoutSeconds: 900,
  schedulesInFlight: 8,
  createScheduleLatencyMs: 50,
  stepLatencyMs: 150,
  senders: 2,
  stepsInFlight: 4,
  hoursBeforeFirstSend: 7.5,
  scheduleRetrySeconds: 6 * 3600,
  customerEmailsPerDay: (quota) => Math.floor(quota.dailyMessages * 0.98),
  steadyDeadlineSeconds: 2 * 3600,
};

const MEASURED: Measured = {
  subscriptionsPerCustomer: 2,
  firstNight: { schedulesPerCustomer: 1.4, emailsPerCustomerByDay: [0.45, 0.25, 0.2] },
  steadyNight: { schedulesPerCustomer: 0.04, emailsPerCustomerByDay: [0.04] },
  largestZoneShare: 0.45,
  largestZone: 'Europe/Berlin',
  createScheduleCpuMs: 0.8,
  sendCpuMs: 0.5,
  engineMsPerCustomer: 0.06,
};

const ses = { dailyMessages: 50_000, messagesPerSecond: 14 };

describe('spreading a night over the daily quota', () => {
  it('sends everything on its day when the quota holds it', () => {
    // Act
    const spread = spreadOverDays([100, 50], 10, 1_000);

    // Assess
    expect(spread).toEqual({ busiestDay: 100, days: 1 });
  });

  it('moves what does not fit to the following days, the steady nights still arriving', () => {
    // Act: 2,500 on the first day at 1,000 a day, with 100 more every later day
    const spread = spreadOverDays([2_500], 100, 1_000);

    // Assess: 1,000 + 1,000 + 700 (600 waiting and the day's 100), so the third day clears it
    expect(spread).toEqual({ busiestDay: 1_000, days: 3 });
  });

  it('never catches up when the steady nights alone outgrow the quota', () => {
    expect(spreadOverDays([10], 2_000, 1_000).days).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('a row of the scale table', () => {
  it('scales the measured load per customer to the portfolio', () => {
    // Act
    const row = scaleRow(1_000_000, 'first', ses, MEASURED, DEPLOYMENT);

    // Assess: 500,000 customers, 1.4 schedules each; the first day holds 49,000 of 225,000 emails
    expect(row.customers).toBe(500_000);
    expect(row.schedules).toBe(700_000);
    expect(row.busiestDayEmails).toBe(49_000);
    expect(row.burst).toEqual({ sampleZones: 22_050, oneZone: 49_000 });
    expect(row.drainSeconds.oneZone).toBeCloseTo(3_500);
    expect(row.days).toBeGreaterThan(5);
    expect(row.pass).toBe(true);
  });

  it('fails a steady night whose one-zone burst takes more than two hours at the SES rate', () => {
    // Prepare: a steady day of 200,000 emails at 14 a second is about four hours
    const busy = { ...MEASURED, steadyNight: { schedulesPerCustomer: 0.4, emailsPerCustomerByDay: [0.4] } };

    // Act
    const row = scaleRow(
      1_000_000,
      'steady',
      { dailyMessages: 1_000_000, messagesPerSecond: 14 },
      busy,
      DEPLOYMENT,
    );

    // Assess
    expect(row.checks.withinDeadline).toBe(false);
    expect(row.pass).toBe(false);
  });

  it('drains at the pace of the senders when too few run at once for the SES rate', () => {
    // Act: two senders, four steps each in flight, 150.5 ms a step: about 53 a second against SES's 100
    const row = scaleRow(
      1_000_000,
      'steady',
      { dailyMessages: 1_000_000, messagesPerSecond: 100 },
      MEASURED,
      DEPLOYMENT,
    );

    // Assess
    expect(row.sendPerSecond).toBeCloseTo(8_000 / 150.5);
    expect(row.drainSeconds.oneZone).toBeCloseTo(row.burst.oneZone / row.sendPerSecond);
    expect(sendersFor({ dailyMessages: 1_000_000, messagesPerSecond: 100 }, DEPLOYMENT, MEASURED)).toBe(4);
    expect(sendersFor({ dailyMessages: 50_000, messagesPerSecond: 14 }, DEPLOYMENT, MEASURED)).toBe(2);
  });

  it('fails a steady night the daily quota cannot hold in one day', () => {
    const busy = { ...MEASURED, steadyNight: { schedulesPerCustomer: 0.1, emailsPerCustomerByDay: [0.2] } };

    const row = scaleRow(1_000_000, 'steady', ses, busy, DEPLOYMENT);

    expect(row.days).toBe(Number.POSITIVE_INFINITY);
    expect(row.checks.nothingLost).toBe(false);
  });

  it('counts a shard that cannot make its schedules within its time limit as losing them', () => {
    // Prepare: shards of 50,000 in a Region that makes 250 schedules a second, ten shards sharing it
    const large = { ...DEPLOYMENT, customersPerShard: { main: 50_000, other: 50_000 } };

    // Act
    const row = scaleRow(1_000_000, 'first', ses, MEASURED, large);

    // Assess: 70,000 schedules at 25 a second is far beyond 15 minutes
    expect(row.shardSeconds.other).toBeGreaterThan(900);
    expect(row.checks.nothingLost).toBe(false);
    expect(row.notes.join()).toContain('limit 900 s');
  });

  it('counts more schedules than an account may hold as lost', () => {
    const heavy = { ...MEASURED, firstNight: { ...MEASURED.firstNight, schedulesPerCustomer: 25 } };

    const row = scaleRow(1_000_000, 'first', ses, heavy, {
      ...DEPLOYMENT,
      shardTimeoutSeconds: 1e9,
      hoursBeforeFirstSend: 1e6,
    });

    expect(row.notes).toContain('over 10M schedules');
    expect(row.pass).toBe(false);
  });

  it('gives the largest shard a Region can make a first night for within the time limit', () => {
    // Act
    const fits = largestShardFitting('other', MEASURED, DEPLOYMENT);
    const row = scaleRow(10 * 2 * fits, 'first', ses, MEASURED, {
      ...DEPLOYMENT,
      customersPerShard: { main: fits, other: fits },
    });

    // Assess: ten shards of that size, all at once, each within 900 s
    expect(fits).toBeGreaterThan(1_000);
    expect(row.shardSeconds.other).toBeLessThanOrEqual(900);
  });

  it('builds every size for both nights and both SES accounts', () => {
    const rows = scaleTable(MEASURED, DEPLOYMENT);

    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => `${r.subscriptions} ${r.night} ${r.ses.messagesPerSecond}`)).size).toBe(
      12,
    );
  });
});

function step(
  index: number,
  kind: CaseStep['kind'],
  dueOn: string,
  status: CaseStep['status'] = 'scheduled',
): CaseStep {
  return { index, kind, template: null, variant: null, task: null, reason: null, level: 0, dueOn, status };
}

function caseOf(customerId: string, steps: CaseStep[]): Case {
  return {
    caseId: `${customerId}#renewal`,
    customerId,
    playId: 'renewal',
    priority: 1,
    termEnd: '2026-09-01',
    openedOn: '2026-06-05',
    anchorOn: '2026-06-05',
    expiresOn: '2026-09-30',
    status: 'open',
    resolvedOn: null,
    closedOn: null,
    recipient: `${customerId}@example.com`,
    baselineUtilization: null,
    steps,
  };
}

describe('a night counted from the cases it opened', () => {
  it('counts business days, a weekend send day landing on Monday', () => {
    // 2026-06-05 is a Friday
    expect(businessDaysFrom('2026-06-05', '2026-06-05')).toBe(0);
    expect(businessDaysFrom('2026-06-05', '2026-06-06')).toBe(1);
    expect(businessDaysFrom('2026-06-05', '2026-06-08')).toBe(1);
    expect(businessDaysFrom('2026-06-05', '2026-06-09')).toBe(2);
  });

  it('counts the scheduled steps as schedules and the emails by send day, per customer', () => {
    // Prepare: two customers, a Friday night
    const opened = [
      caseOf('A', [
        step(0, 'email', '2026-06-05'),
        step(1, 'task', '2026-06-05'),
        step(2, 'email', '2026-06-09'),
      ]),
      caseOf('B', [step(0, 'email', '2026-06-05'), step(1, 'email', '2026-06-01', 'skipped')]),
    ];

    // Act
    const measure = nightMeasureOf(opened, 2, '2026-06-05');

    // Assess: four schedules (not the skipped step); two emails on Friday, one on Tuesday
    expect(measure.schedulesPerCustomer).toBe(2);
    expect(measure.emailsPerCustomerByDay).toEqual([1, 0, 0.5]);
  });

  it('sends zones of one UTC offset in one burst', () => {
    // Prepare: Paris and Berlin share 09:30; London is an hour later
    const opened = [
      caseOf('P', [step(0, 'email', '2026-06-08')]),
      caseOf('B', [step(0, 'email', '2026-06-08')]),
      caseOf('L', [step(0, 'email', '2026-06-08')]),
      caseOf('T', [step(0, 'email', '2026-06-09')]),
    ];
    const zones: Record<string, string> = {
      P: 'Europe/Paris',
      B: 'Europe/Berlin',
      L: 'Europe/London',
      T: 'Asia/Tokyo',
    };

    // Act
    const burst = largestBurstShare(opened, (id) => zones[id]!);

    // Assess: the busiest day (three emails) has two at one instant
    expect(burst.share).toBeCloseTo(2 / 3);
    expect(burst.zones).toEqual(['Europe/Berlin', 'Europe/Paris']);
  });
});
