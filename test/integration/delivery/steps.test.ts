import type { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../lambdas/adapters/ses/sesMailer';
import { evaluatePortfolio, type StepPayload } from '../../../lambdas/delivery/evaluatePortfolio';
import { RetryLaterError, runStep } from '../../../lambdas/delivery/runStep';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness } from '../../helpers/deliveryHarness';

// A fresh portfolio per test: each test moves the portfolio's snapshot date as it needs.
let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
});
afterEach(async () => {
  await harness.close();
});

const payloadOf = (schedule: { payload: Record<string, unknown> }) =>
  schedule.payload as unknown as StepPayload;

async function welcomeFor(customerId: string, adminEmail: string) {
  const state = customerState({
    customerId,
    adminEmail,
    termStart: '2026-03-02',
    date: '2026-03-02',
    locale: 'de',
  });
  await harness.ingest(state);
  harness.clock = new Date('2026-03-02T02:00:00Z');
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const schedule = [...harness.scheduler.schedules.values()].find(
    (s) => (s.payload as { caseId: string }).caseId === `${customerId}#welcome#2027-03-02`,
  )!;
  harness.clock = new Date('2026-03-02T08:30:00Z');
  return { state, schedule };
}

describe('nightly evaluation and step delivery', () => {
  it('schedules the welcome email at 09:30 in the admin zone and sends it once with one-click unsubscribe', async () => {
    // Prepare
    await harness.ses.clear();
    const { schedule } = await welcomeFor('S-1', 'lena.wagner@nordstone.example');

    // Act
    const first = await runStep(harness.stepDeps(), payloadOf(schedule));
    const again = await runStep(harness.stepDeps(), payloadOf(schedule));

    // Assess
    expect(schedule).toMatchObject({ date: '2026-03-02', time: '09:30', timeZone: 'Europe/Berlin' });
    expect([first, again]).toEqual(['sent', 'step-not-scheduled']);
    const emails = await harness.ses.emails();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      destination: { to: ['lena.wagner@nordstone.example'] },
      subject: 'Willkommen, Nordstone Design GmbH: Ihre Lizenzen sind bereit',
    });
    expect(emails[0]!.headers).toContainEqual({
      name: 'List-Unsubscribe-Post',
      value: 'List-Unsubscribe=One-Click',
    });
    expect(emails[0]!.headers!.find((h) => h.name === 'List-Unsubscribe')!.value).toMatch(
      /^<https:\/\/unsubscribe\.reseller\.example\/u\/[\w-]+\.[\w-]+>$/,
    );
    expect(harness.events.events).toContainEqual(
      expect.objectContaining({ kind: 'email', customerId: 'S-1', template: 'welcome', locale: 'de' }),
    );
  });

  it('sends nothing more when the same invocation arrives twice at once', async () => {
    // Prepare
    await harness.ses.clear();
    const { schedule } = await welcomeFor('S-2', 'twice@nordstone.example');

    // Act
    const results = await Promise.allSettled([
      runStep(harness.stepDeps(), payloadOf(schedule)),
      runStep(harness.stepDeps(), payloadOf(schedule)),
    ]);

    // Assess: the one that found the claim taken fails, so its retry comes back later instead of dropping it
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name));
    expect(outcomes.sort()).toEqual(['ClaimHeldError', 'sent']);
    expect(await harness.ses.emails()).toHaveLength(1);
  });

  it('sends nothing for a case that resolved after the schedule was made', async () => {
    // Prepare: week 2, nothing assigned, then every seat assigned before the email goes
    await harness.ses.clear();
    const state = customerState({
      customerId: 'S-3',
      adminEmail: 's3@atlas.example',
      termStart: '2026-03-02',
      date: '2026-03-09',
      licensesAssigned: 0,
      activeUsers: 0,
    });
    await harness.ingest(state);
    await evaluatePortfolio(harness.evaluateDeps(), '2026-03-09');
    const reminder = [...harness.scheduler.schedules.values()].find(
      (s) => payloadOf(s).caseId === 'S-3#deployment#2027-03-02' && payloadOf(s).step === 2,
    )!;
    await harness.ingest({ ...state, snapshotDate: '2026-03-12', licensesAssigned: 20 });
    const night = await evaluatePortfolio(harness.evaluateDeps(), '2026-03-12');

    // Act: the reminder fires anyway (as if deleting its schedule had failed)
    const outcome = await runStep(harness.stepDeps(), payloadOf(reminder));

    // Assess
    expect(night.resolved).toBe(1);
    expect(harness.scheduler.cancelled).toContain(reminder.name);
    expect(outcome).toBe('case-resolved');
    expect(await harness.ses.emails()).toHaveLength(0);
  });

  it('gives the owner a task instead of emailing a suppressed admin', async () => {
    // Prepare
    await harness.ses.clear();
    const { schedule, state } = await welcomeFor('S-4', 'gone@nordstone.example');
    await harness.suppressions.suppress('gone@nordstone.example', 'unsubscribed', harness.clock);

    // Act
    const outcome = await runStep(harness.stepDeps(), payloadOf(schedule));

    // Assess
    expect(outcome).toBe('suppressed');
    expect(await harness.ses.emails()).toHaveLength(0);
    const tasks = await harness.tasks.dueBetween(state.ownerEmail, '2026-03-01', '2026-03-31');
    expect(tasks).toContainEqual(
      expect.objectContaining({ customerId: 'S-4', task: 'call-admin-suppressed', level: 1 }),
    );
  });

  it('retries SES throttling later without losing or doubling the email', async () => {
    // Prepare
    await harness.ses.clear();
    const { schedule } = await welcomeFor('S-5', 'busy@nordstone.example');
    let throttle = true;
    const client = Object.create(harness.ses.client) as SESv2Client;
    client.send = (async (command: SendEmailCommand) => {
      if (throttle)
        throw Object.assign(new Error('Maximum sending rate exceeded.'), {
          name: 'TooManyRequestsException',
        });
      return harness.ses.client.send(command);
    }) as SESv2Client['send'];
    const mailer = new SesMailer({
      client,
      senderEmail: 'success@reseller.example',
      senderName: 'Northwind',
    });

    // Act
    const first = await runStep(harness.stepDeps({ mailer }), payloadOf(schedule)).catch(
      (error: unknown) => error,
    );
    throttle = false;
    const retry = await runStep(harness.stepDeps({ mailer }), payloadOf(schedule));

    // Assess
    expect(first).toBeInstanceOf(RetryLaterError);
    expect(retry).toBe('sent');
    expect(await harness.ses.emails()).toHaveLength(1);
  }, 30_000);

  it('records an escalation for the team leads', async () => {
    // Prepare: an activation case; its escalation is step 3 (index 2)
    const state = customerState({
      customerId: 'S-6',
      adminEmail: 's6@atlas.example',
      termStart: '2026-01-05',
      date: '2026-03-02',
      activeUsers: 4,
    });
    await harness.ingest(state);
    harness.clock = new Date('2026-03-02T02:00:00Z');
    await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
    const escalation = [...harness.scheduler.schedules.values()].find(
      (s) => payloadOf(s).caseId === 'S-6#activation#2027-01-05' && payloadOf(s).step === 2,
    )!;
    harness.clock = new Date('2026-03-16T06:00:00Z');

    // Act
    const outcome = await runStep(harness.stepDeps(), payloadOf(escalation));

    // Assess
    expect(escalation).toMatchObject({ date: '2026-03-16', time: '07:00' });
    expect(outcome).toBe('task-recorded');
    expect(await harness.tasks.dueBetween('lead@reseller.example', '2026-03-16', '2026-03-16')).toEqual([
      expect.objectContaining({ customerId: 'S-6', level: 2, task: null }),
    ]);
  });

  it('moves an email to the next business day when send time has already passed in the admin zone', async () => {
    // Prepare: the evaluation runs at 03:00 in Berlin, when it is already 13:00 in Sydney
    const state = customerState({
      customerId: 'S-7',
      adminEmail: 's7@sydney.example',
      termStart: '2026-03-02',
      date: '2026-03-02',
      timezone: 'Australia/Sydney',
    });
    await harness.ingest(state);
    harness.clock = new Date('2026-03-02T02:00:00Z');

    // Act
    await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');

    // Assess
    const welcome = [...harness.scheduler.schedules.values()].find(
      (s) => payloadOf(s).caseId === 'S-7#welcome#2027-03-02',
    );
    expect(welcome).toMatchObject({ date: '2026-03-03', time: '09:30', timeZone: 'Australia/Sydney' });
  });

  it('schedules every step when a night cut short by a scheduler failure is run again', async () => {
    // Prepare: three customers whose cases open tonight; Scheduler fails after the first two schedules
    for (const i of [1, 2, 3]) {
      await harness.ingest(
        customerState({
          customerId: `R-${i}`,
          adminEmail: `r${i}@retry.example`,
          termStart: '2026-01-05',
          date: '2026-03-02',
          activeUsers: 4,
        }),
      );
    }
    harness.clock = new Date('2026-03-02T02:00:00Z');
    const deps = harness.evaluateDeps();
    let calls = 0;
    const failing = {
      ...deps,
      scheduler: {
        scheduleOnce: async (schedule: Parameters<typeof deps.scheduler.scheduleOnce>[0]) => {
          if (++calls > 2) throw new Error('ThrottlingException');
          return deps.scheduler.scheduleOnce(schedule);
        },
        cancel: deps.scheduler.cancel.bind(deps.scheduler),
      },
    };

    // Act
    await expect(evaluatePortfolio(failing, '2026-03-02')).rejects.toThrow('ThrottlingException');
    const retry = await evaluatePortfolio(deps, '2026-03-02');

    // Assess: the retry opens the same cases and every one of their steps has its schedule
    const cases = (await harness.store.load()).cases.filter((c) => c.customerId.startsWith('R-'));
    expect(cases.length).toBeGreaterThanOrEqual(3);
    expect(retry.opened).toBe(cases.length);
    const scheduled = cases.flatMap((c) =>
      c.steps.filter((step) => step.status === 'scheduled').map((step) => `${c.caseId}#${step.index}`),
    );
    const names = [...harness.scheduler.schedules.values()].map(
      (s) => `${payloadOf(s).caseId}#${payloadOf(s).step}`,
    );
    expect(scheduled.length).toBeGreaterThan(2);
    expect(names.sort()).toEqual(expect.arrayContaining(scheduled.sort()));
  });
});
