import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../../lambdas/domain/address';
import { addDays, daysBetween, type IsoDate, isBusinessDay } from '../../../lambdas/domain/dates';
import { localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';
import type { CustomerRecord } from '../../../lambdas/domain/engine/cases';
import { type EmailRoom, evaluateNight } from '../../../lambdas/domain/engine/evaluateNight';
import { quarterOf, SendingWindows } from '../../../lambdas/domain/engine/sendingWindows';
import { DEFAULT_PLAYBOOK, parsePlaybook } from '../../../lambdas/domain/playbook/playbook';
import { customerRecord, customerState } from '../../helpers/customerFactory';

const TODAY = '2026-03-02'; // a Monday

/** Customers whose renewal window opens tonight, and new customers in their first term week. */
function firstNight(renewing: number, welcomed: number): CustomerRecord[] {
  const customer = (id: string, termStart: IsoDate, termEnd: IsoDate) =>
    customerRecord(
      customerState({
        customerId: id,
        adminEmail: `admin@${id.toLowerCase()}.example`,
        adminAddress: normalizeAddress(`admin@${id.toLowerCase()}.example`),
        date: TODAY,
        termStart,
        termEnd,
      }),
      { firstSeen: TODAY },
    );
  return [
    ...Array.from({ length: renewing }, (_, i) =>
      customer(`R-${String(i).padStart(3, '0')}`, addDays(TODAY, -281), addDays(TODAY, 84)),
    ),
    ...Array.from({ length: welcomed }, (_, i) =>
      customer(`W-${String(i).padStart(3, '0')}`, TODAY, addDays(TODAY, 365)),
    ),
  ];
}

function night(customers: CustomerRecord[], emailRoom?: EmailRoom, playbook = DEFAULT_PLAYBOOK) {
  return evaluateNight({
    playbook,
    today: TODAY,
    now: new Date(`${TODAY}T01:00:00Z`),
    sendTime: '09:30',
    portfolioDate: TODAY,
    customers,
    cases: [],
    suppressedEmails: new Set(),
    ...(emailRoom ? { emailRoom } : {}),
  });
}

function firstEmails(decisions: ReturnType<typeof night>) {
  return decisions.opened.map((c) => ({ c, email: c.steps.find((s) => s.kind === 'email')! }));
}

describe('customer emails planned within the sending quota', () => {
  it('puts no more emails on a day than the quota leaves, renewals before welcomes, on business days', () => {
    // Prepare: 25 renewals and 25 welcomes open tonight; the quota leaves 10 emails a day
    const customers = firstNight(25, 25);

    // Act
    const decisions = night(customers, { perWindow: 10, planned: new Map() });

    // Assess: 50 first emails over five business days, ten a day
    const emails = firstEmails(decisions);
    expect(emails).toHaveLength(50);
    const perDay = new Map<IsoDate, number>();
    for (const { email } of emails) perDay.set(email.dueOn, (perDay.get(email.dueOn) ?? 0) + 1);
    expect([...perDay.values()].every((n) => n <= 10)).toBe(true);
    expect([...perDay.keys()].every(isBusinessDay)).toBe(true);
    const lastRenewal = emails
      .filter(({ c }) => c.playId === 'renewal')
      .map(({ email }) => email.dueOn)
      .sort()
      .at(-1)!;
    const firstWelcome = emails
      .filter(({ c }) => c.playId === 'welcome')
      .map(({ email }) => email.dueOn)
      .sort()[0]!;
    expect(lastRenewal <= firstWelcome).toBe(true);
    expect(lastRenewal).toBe('2026-03-04');
    expect(firstWelcome).toBe('2026-03-04');
    expect(
      emails
        .map(({ email }) => email.dueOn)
        .sort()
        .at(-1),
    ).toBe('2026-03-06');
  });

  it('marks a moved email with the day it would have gone, and moves the case’s later steps with it', () => {
    // Prepare
    const customers = firstNight(25, 0);

    // Act
    const decisions = night(customers, { perWindow: 10, planned: new Map() });

    // Assess: the last renewals wait two business days; their call and follow-up keep their spacing
    const moved = decisions.opened.filter((c) => c.steps[0]!.heldFrom !== undefined);
    expect(moved).toHaveLength(15);
    for (const c of moved) {
      const [email, call, followUp] = c.steps;
      expect(email!.heldFrom).toBe(TODAY);
      expect(call!.dueOn >= email!.dueOn).toBe(true);
      expect(daysBetween(email!.dueOn, followUp!.dueOn)).toBeGreaterThanOrEqual(14);
      expect(followUp!.heldFrom).toBeUndefined();
    }
    const kept = decisions.opened.filter((c) => c.steps[0]!.heldFrom === undefined);
    expect(kept.map((c) => c.steps[0]!.dueOn)).toEqual(Array(10).fill(TODAY));
  });

  it('takes the room days already have, and plans as before when no quota is given', () => {
    // Prepare: Monday already carries 8 of its 10 emails
    const customers = firstNight(5, 0);

    // Act
    const limited = night(customers, {
      perWindow: 10,
      planned: new Map([[quarterOf(localTimeToUtc(TODAY, '09:30', 'Europe/Berlin')), 8]]),
    });
    const unlimited = night(customers);

    // Assess
    expect(firstEmails(limited).map(({ email }) => email.dueOn)).toEqual([
      TODAY,
      TODAY,
      '2026-03-03',
      '2026-03-03',
      '2026-03-03',
    ]);
    expect(firstEmails(unlimited).map(({ email }) => email.dueOn)).toEqual(Array(5).fill(TODAY));
  });

  it('gives held-out cases no room: they send nothing', () => {
    // Prepare: half the renewal cases held out as the control group
    const playbook = parsePlaybook({
      ...DEFAULT_PLAYBOOK,
      plays: DEFAULT_PLAYBOOK.plays.map((p) => (p.id === 'renewal' ? { ...p, holdoutPercent: 50 } : p)),
    });

    // Act
    const decisions = night(firstNight(20, 0), { perWindow: 3, planned: new Map() }, playbook);

    // Assess: held-out cases keep tonight's day; the emailed ones share three a day
    const emails = firstEmails(decisions);
    const heldOut = emails.filter(({ c }) => c.heldOut);
    const emailed = emails.filter(({ c }) => !c.heldOut);
    expect(heldOut.length).toBeGreaterThan(0);
    expect(emailed.length).toBeGreaterThan(3);
    expect(heldOut.every(({ email }) => email.dueOn === TODAY && email.heldFrom === undefined)).toBe(true);
    expect(emailed.filter(({ email }) => email.dueOn === TODAY)).toHaveLength(3);
  });
});

describe('the rolling 24 hours of the SES daily quota', () => {
  const at = (day: string, zone: string) => quarterOf(localTimeToUtc(day, '09:30', zone));

  it('counts a Monday in Los Angeles against a Tuesday in Auckland and Berlin, not a Wednesday', () => {
    // Prepare: ten emails a day's room, all taken by Monday 09:30 in Los Angeles (17:30 UTC)
    const windows = new SendingWindows({
      perWindow: 10,
      planned: new Map([[at(TODAY, 'America/Los_Angeles'), 10]]),
    });

    // Act and assess: Tuesday 09:30 in Auckland (Monday 20:30 UTC) and in Berlin (08:30 UTC) are within 24 hours
    expect(windows.take(at('2026-03-03', 'Pacific/Auckland'))).toBe(false);
    expect(windows.take(at('2026-03-03', 'Europe/Berlin'))).toBe(false);
    // Tuesday in Los Angeles is 24 hours on, and Wednesday in Berlin later still
    expect(windows.take(at('2026-03-03', 'America/Los_Angeles'))).toBe(true);
    expect(windows.take(at('2026-03-04', 'Europe/Berlin'))).toBe(true);
  });

  it('gives each of four shards a quarter of the room, so together they fill it exactly', () => {
    // Prepare: 2 of 10 taken by an earlier night
    const planned = new Map([[at(TODAY, 'Europe/Berlin'), 2]]);
    const shards = [0, 1, 2, 3].map(
      (index) => new SendingWindows({ perWindow: 10, planned, share: { index, count: 4 } }),
    );

    // Act: each shard takes what it can on Monday in Berlin
    const taken = shards.map((w) => {
      let n = 0;
      while (w.take(at(TODAY, 'Europe/Berlin'))) n++;
      return n;
    });

    // Assess
    expect(taken).toEqual([2, 2, 2, 2]);
  });
});
