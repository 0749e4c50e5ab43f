import { describe, expect, it } from 'vitest';
import { addDays, dayOfWeek } from '../../../lambdas/domain/dates';
import { customerRecord, customerState, usagePoint } from '../../helpers/customerFactory';
import { EngineRun, on } from '../../helpers/engineNights';

const TERM_START = '2026-03-02'; // a Monday
const day = (n: number) => addDays(TERM_START, n);

describe('welcome', () => {
  it('opens in term week 1 for a new customer and never again in the term', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(0) });

    // Act
    run.night(day(0), [customerRecord(state)]);
    run.night(day(1), [customerRecord(on(state, day(1)))]);

    // Assess
    expect(run.emails().filter((e) => e.template === 'welcome')).toEqual([
      expect.objectContaining({ dueOn: day(0), to: state.adminEmail, variant: null }),
    ]);
  });

  it('is not sent to a customer first seen in term week 30', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(7 * 29 + 2) });

    // Act
    run.night(state.snapshotDate, [customerRecord(state, { firstSeen: state.snapshotDate })]);

    // Assess
    expect(run.emails().map((e) => e.template)).not.toContain('welcome');
    expect(run.emails().map((e) => e.template)).not.toContain('active-use');
  });

  it('is not repeated when a renewed term starts', () => {
    // Prepare: seen since the first term, now in week 1 of the second
    const run = new EngineRun();
    const state = customerState({ termStart: '2027-03-02', termEnd: '2028-03-02', date: '2027-03-02' });

    // Act
    run.night('2027-03-02', [customerRecord(state, { firstSeen: TERM_START })]);

    // Assess
    expect(run.casesOf('welcome')).toEqual([]);
  });
});

describe('deployment', () => {
  it('opens in week 2 with variant none when nothing is assigned, and follows up on days 7, 14 and 21', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(7), licensesAssigned: 0, activeUsers: 0 });

    // Act
    run.night(day(7), [customerRecord(state)]);

    // Assess
    const [c] = run.casesOf('deployment');
    expect(c?.steps.map((s) => [s.kind, s.template ?? s.task, s.variant, s.dueOn])).toEqual([
      ['email', 'deployment', 'none', day(7)],
      ['task', 'call-admin-deployment', null, day(14)],
      ['email', 'deployment-reminder', null, day(21)],
      ['escalation', null, null, day(28)],
    ]);
    expect(c?.steps[3]?.level).toBe(2);
    expect(c?.steps[1]?.level).toBe(1);
  });

  it('picks the partial variant when some seats are assigned', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({
      termStart: TERM_START,
      date: day(8),
      licensesAssigned: 12,
      activeUsers: 5,
    });

    // Act
    run.night(day(8), [customerRecord(state)]);

    // Assess
    expect(run.casesOf('deployment')[0]?.steps[0]?.variant).toBe('partial');
  });

  it('does not open in week 1 or after week 10, nor when every seat is assigned', () => {
    // Prepare
    const run = new EngineRun();
    const week1 = customerState({
      customerId: 'A',
      termStart: TERM_START,
      date: day(6),
      licensesAssigned: 0,
    });
    const week11 = customerState({
      customerId: 'B',
      termStart: TERM_START,
      date: day(70),
      licensesAssigned: 3,
    });
    const full = customerState({
      customerId: 'C',
      termStart: TERM_START,
      date: day(20),
      licensesAssigned: 20,
    });

    // Act
    run.night(day(6), [customerRecord(week1)]);
    run.night(day(70), [customerRecord(week11, { firstSeen: day(70) })]);
    run.night(day(20), [customerRecord(full)]);

    // Assess
    expect(run.casesOf('deployment')).toEqual([]);
  });

  it('resolves when every seat is assigned and cancels the remaining steps', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(7), licensesAssigned: 0, activeUsers: 0 });
    run.night(day(7), [customerRecord(state)]);

    // Act
    const decisions = run.night(day(10), [customerRecord(on(state, day(10), { licensesAssigned: 20 }))]);

    // Assess
    expect(decisions.events).toContainEqual(
      expect.objectContaining({ kind: 'case-resolved', play: 'deployment' }),
    );
    const [c] = run.casesOf('deployment');
    expect(c?.status).toBe('resolved');
    expect(c?.steps.map((s) => s.status)).toEqual(['scheduled', 'cancelled', 'cancelled', 'cancelled']);
  });
});

describe('active-use and resources', () => {
  it('sends active-use in week 4 and resources in week 5 only', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(0) });

    // Act: every night of the first eight weeks
    for (let d = 0; d < 56; d++) run.night(day(d), [customerRecord(on(state, day(d)))]);

    // Assess
    const emails = run.emails();
    expect(emails.filter((e) => e.template === 'active-use').map((e) => e.dueOn)).toEqual([day(21)]);
    expect(emails.filter((e) => e.template === 'resources').map((e) => e.dueOn)).toEqual([day(28)]);
  });
});

describe('activation', () => {
  it('opens from week 5 under 60 % utilization, with a task and an escalation', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(28), activeUsers: 8 });

    // Act
    run.night(day(28), [customerRecord(state)]);

    // Assess
    const [c] = run.casesOf('activation');
    expect(c?.steps.map((s) => [s.template ?? s.task ?? 'escalation', s.variant, s.dueOn])).toEqual([
      ['activation', 'standard', day(28)],
      ['call-admin-activation', null, day(35)],
      ['escalation', null, day(42)],
    ]);
  });

  it('picks one-more when exactly one paid seat is unused', () => {
    // Prepare: 19 of 20 active would be 95 %; use 2 seats of which 1 is active (50 %)
    const run = new EngineRun();
    const state = customerState({
      termStart: TERM_START,
      date: day(30),
      licensesPurchased: 2,
      licensesAssigned: 2,
      activeUsers: 1,
    });

    // Act
    run.night(day(30), [customerRecord(state)]);

    // Assess
    expect(run.casesOf('activation')[0]?.steps[0]?.variant).toBe('one-more');
  });

  it('does not open at 60 % or above, nor within 84 days of term_end', () => {
    // Prepare
    const run = new EngineRun();
    const healthy = customerState({ customerId: 'A', termStart: TERM_START, date: day(40), activeUsers: 12 });
    const late = customerState({ customerId: 'B', termStart: TERM_START, date: day(300), activeUsers: 2 });

    // Act
    run.night(day(40), [customerRecord(healthy)]);
    run.night(day(300), [customerRecord(late, { firstSeen: day(300) })]);

    // Assess
    expect(run.casesOf('activation')).toEqual([]);
  });

  it('resolves when utilization reaches 60 %', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(28), activeUsers: 8 });
    run.night(day(28), [customerRecord(state)]);

    // Act
    run.night(day(33), [customerRecord(on(state, day(33), { activeUsers: 12 }))]);

    // Assess
    expect(run.casesOf('activation')[0]?.status).toBe('resolved');
    expect(run.casesOf('activation')[0]?.steps.filter((s) => s.status === 'cancelled')).toHaveLength(2);
  });
});

describe('usage-drop and growth', () => {
  it('gives the owner a usage-drop task (no customer email) after a 20-point fall, resolved when usage is back', () => {
    // Prepare
    const run = new EngineRun();
    const before = customerState({ termStart: TERM_START, date: day(100), activeUsers: 18 });
    const now = on(before, day(130), { activeUsers: 12 });
    const history = [usagePoint(before)];

    // Act
    run.night(day(130), [customerRecord(now, { history })]);
    const back = run.night(day(140), [customerRecord(on(now, day(140), { activeUsers: 17 }), { history })]);

    // Assess
    const [c] = run.casesOf('usage-drop');
    expect(c?.steps.map((s) => [s.kind, s.task, s.level])).toEqual([['task', 'usage-drop', 1]]);
    expect(run.emails()).toEqual([]);
    expect(back.resolved.map((r) => r.playId)).toEqual(['usage-drop']);
  });

  it('sends a progress email after a rise of more than 10 points, at most every 90 days', () => {
    // Prepare
    const run = new EngineRun();
    const before = customerState({ termStart: TERM_START, date: day(100), activeUsers: 13 });
    const rose = on(before, day(130), { activeUsers: 16 });

    // Act
    run.night(day(130), [customerRecord(rose, { history: [usagePoint(before)] })]);
    const again = on(before, day(190), { activeUsers: 19 });
    run.night(day(190), [customerRecord(again, { history: [usagePoint(on(before, day(160)))] })]);
    const later = on(before, day(232), { activeUsers: 19 });
    run.night(day(232), [
      customerRecord(later, { history: [usagePoint(on(before, day(202)), { activeUsers: 13 })] }),
    ]);

    // Assess: day 130 and day 232; day 190 is within 90 days of the first
    expect(
      run
        .emails()
        .filter((e) => e.template === 'progress')
        .map((e) => e.dueOn),
    ).toEqual([day(130), day(232)]);
  });
});

describe('renewal', () => {
  const termEnd = '2027-03-02';

  it('opens 84 days before term_end with the right variant and runs its schedule', () => {
    // Prepare
    const run = new EngineRun();
    const opensOn = addDays(termEnd, -84);
    const state = customerState({ termStart: TERM_START, termEnd, date: opensOn, licensesPurchased: 30 });

    // Act
    run.night(opensOn, [customerRecord(state)]);

    // Assess
    const [c] = run.casesOf('renewal');
    expect(c?.anchorOn).toBe(opensOn);
    expect(c?.steps.map((s) => [s.template ?? s.task ?? 'escalation', s.variant])).toEqual([
      ['renewal', 'large'],
      ['renewal-call', null],
      ['renewal-followup', null],
      ['renewal-followup-call', null],
      ['renewal-last-call', null],
      ['escalation', null],
    ]);
    const last = c!.steps[4]!;
    // 56 days after the anchor, moved to a business day if it falls on a weekend.
    expect(last.dueOn >= addDays(opensOn, 56) && last.dueOn <= addDays(opensOn, 58)).toBe(true);
    expect([0, 6]).not.toContain(dayOfWeek(last.dueOn));
  });

  it.each([
    [5, 'small'],
    [10, 'standard'],
    [25, 'standard'],
    [26, 'large'],
  ])('with %i seats picks the %s variant', (seats, variant) => {
    // Prepare
    const run = new EngineRun();
    const opensOn = addDays(termEnd, -84);
    const state = customerState({
      termStart: TERM_START,
      termEnd,
      date: opensOn,
      licensesPurchased: seats,
      licensesAssigned: seats,
      activeUsers: seats,
    });

    // Act
    run.night(opensOn, [customerRecord(state)]);

    // Assess
    expect(run.casesOf('renewal')[0]?.steps[0]?.variant).toBe(variant);
  });

  it('resolves when term_end moves forward and sends nothing more', () => {
    // Prepare
    const run = new EngineRun();
    const opensOn = addDays(termEnd, -84);
    const state = customerState({ termStart: TERM_START, termEnd, date: opensOn });
    run.night(opensOn, [customerRecord(state)]);

    // Act: renewed 20 days later
    const renewed = on(state, addDays(opensOn, 20), { termStart: termEnd, termEnd: '2028-03-02' });
    const decisions = run.night(addDays(opensOn, 20), [customerRecord(renewed, { firstSeen: TERM_START })]);

    // Assess
    expect(decisions.resolved.map((c) => c.playId)).toEqual(['renewal']);
    const c = run.casesOf('renewal')[0]!;
    expect(
      c.steps.filter((s) => s.dueOn >= addDays(opensOn, 20)).every((s) => s.status === 'cancelled'),
    ).toBe(true);
  });

  it('does not backfill when first seen mid-window: only the latest missed email goes out, once', () => {
    // Prepare: first seen 60 days before term_end (24 days into the window)
    const run = new EngineRun();
    const seenOn = addDays(termEnd, -60);
    const state = customerState({ termStart: TERM_START, termEnd, date: seenOn });

    // Act
    run.night(seenOn, [customerRecord(state, { firstSeen: seenOn })]);
    run.night(addDays(seenOn, 1), [customerRecord(on(state, addDays(seenOn, 1)), { firstSeen: seenOn })]);

    // Assess
    const c = run.casesOf('renewal')[0]!;
    expect(c.steps.map((s) => [s.template ?? s.task ?? 'escalation', s.status])).toEqual([
      ['renewal', 'skipped'],
      ['renewal-call', 'skipped'],
      ['renewal-followup', 'scheduled'],
      ['renewal-followup-call', 'scheduled'],
      ['renewal-last-call', 'scheduled'],
      ['escalation', 'scheduled'],
    ]);
    expect(c.steps[2]!.dueOn).toBe(seenOn);
    expect(run.emails().filter((e) => e.template === 'renewal-followup')).toHaveLength(1);
  });

  it('works for a three-year term: opens 84 days before its end, not in year one', () => {
    // Prepare
    const run = new EngineRun();
    const longEnd = '2029-03-02';
    const yearOne = customerState({
      termStart: TERM_START,
      termEnd: longEnd,
      date: addDays('2027-03-02', -84),
    });
    const lastYear = on(yearOne, addDays(longEnd, -84));

    // Act
    run.night(yearOne.snapshotDate, [customerRecord(yearOne)]);
    run.night(lastYear.snapshotDate, [customerRecord(lastYear)]);

    // Assess
    expect(run.casesOf('renewal').map((c) => c.anchorOn)).toEqual([addDays(longEnd, -84)]);
  });
});

describe('win-back', () => {
  const termEnd = '2027-03-02';

  it('opens the day after term_end when not renewed, and resolves on a late renewal', () => {
    // Prepare
    const run = new EngineRun();
    const expired = customerState({ termStart: TERM_START, termEnd, date: addDays(termEnd, 1) });

    // Act
    run.night(addDays(termEnd, 1), [customerRecord(expired)]);
    const comeback = on(expired, addDays(termEnd, 20), {
      termStart: addDays(termEnd, 20),
      termEnd: '2028-03-22',
    });
    const decisions = run.night(addDays(termEnd, 20), [customerRecord(comeback)]);

    // Assess
    const c = run.casesOf('winback')[0]!;
    expect(c.steps.map((s) => s.template ?? s.task)).toEqual(['winback', 'winback-call']);
    expect(decisions.resolved.map((r) => r.playId)).toEqual(['winback']);
  });

  it('does not open for a customer that renewed on time', () => {
    // Prepare
    const run = new EngineRun();
    const renewed = customerState({ termStart: termEnd, termEnd: '2028-03-02', date: addDays(termEnd, 1) });

    // Act
    run.night(addDays(termEnd, 1), [customerRecord(renewed, { firstSeen: TERM_START })]);

    // Assess
    expect(run.casesOf('winback')).toEqual([]);
  });
});

describe('a customer who disappears from the exports', () => {
  it('gets nothing opened or resolved on stale data', () => {
    // Prepare: the last export with this customer is 10 days old
    const run = new EngineRun();
    const stale = customerState({ termStart: TERM_START, date: day(7), licensesAssigned: 0 });

    // Act
    const decisions = run.night(day(17), [customerRecord(stale)], day(17));

    // Assess
    expect(decisions.opened).toEqual([]);
    expect(decisions.events).toEqual([]);
  });
});

describe('suppressed admin', () => {
  it('gets no email: the owner gets a call task instead', () => {
    // Prepare
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(0) });
    run.suppressed = new Set([state.adminEmail]);

    // Act
    const decisions = run.night(day(0), [customerRecord(state)]);

    // Assess
    expect(run.emails()).toEqual([]);
    const c = run.casesOf('welcome')[0]!;
    expect(c.steps.map((s) => [s.kind, s.task, s.status])).toEqual([
      ['email', null, 'suppressed'],
      ['task', 'call-admin-suppressed', 'scheduled'],
    ]);
    expect(decisions.events).toContainEqual(
      expect.objectContaining({ kind: 'suppressed', template: 'welcome' }),
    );
  });
});

describe('one customer email a day', () => {
  it('moves the lower-priority email to the next business day', () => {
    // Prepare: a customer in week 5 with low usage gets resources (7) and activation (4) the same night
    const run = new EngineRun();
    const state = customerState({ termStart: TERM_START, date: day(28), activeUsers: 4 });

    // Act
    run.night(day(28), [customerRecord(state)]);

    // Assess
    const emails = run.emails();
    expect(emails.find((e) => e.template === 'activation')?.dueOn).toBe(day(28));
    expect(emails.find((e) => e.template === 'resources')?.dueOn).toBe(day(29));
  });

  it('holds across customers who share an admin address', () => {
    // Prepare
    const run = new EngineRun();
    const a = customerState({ customerId: 'A', termStart: TERM_START, date: day(0) });
    const b = customerState({ customerId: 'B', termStart: TERM_START, date: day(0) });

    // Act
    run.night(day(0), [customerRecord(a), customerRecord(b)]);

    // Assess
    expect(
      run
        .emails()
        .map((e) => e.dueOn)
        .sort(),
    ).toEqual([day(0), day(1)]);
  });
});
