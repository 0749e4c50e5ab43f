import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { evaluatePortfolio, type StepPayload } from '../../lambdas/delivery/evaluatePortfolio';
import { ClaimHeldError, runStep } from '../../lambdas/delivery/runStep';
import { SWEEP_DAYS } from '../../lambdas/delivery/sweepMissedSteps';
import { createEvaluateHandler, evaluateRoot } from '../../lambdas/handlers/evaluate';
import { environmentOf } from '../../lambdas/shared/environment';
import { METRIC, metrics } from '../../lambdas/shared/observability';
import { settingsFor } from '../../lambdas/shared/settings';
import { scheduledEvent } from '../../local/awsEvents';
import { LOCAL_REGION } from '../../local/emulators';
import { localVariables } from '../../local/localFunctions';
import { VirtualQueue } from '../../local/virtualAws';
import { customerState } from '../helpers/customerFactory';
import { DeliveryHarness, HARNESS_SETTINGS } from '../helpers/deliveryHarness';
import { crash, schedulerThrottled, withFaults } from './helpers/faults';

// A step whose schedule is gone (never made, deleted, retries run out) is found by the next night's sweep and
// scheduled again under its own name; the step's ledger keeps the email to one.

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
});
afterEach(async () => {
  await harness.close();
  vi.restoreAllMocks();
});

const payloadOf = (s: { payload: Record<string, unknown> }) => s.payload as unknown as StepPayload;

/** A customer whose welcome email is due Monday 2026-03-02; returns its schedule's name and payload. */
async function welcomeOf(customerId: string) {
  const state = customerState({
    customerId,
    adminEmail: `${customerId.toLowerCase()}@sweep.example`,
    termStart: '2026-03-02',
    date: '2026-03-02',
  });
  await harness.ingest(state);
  harness.clock = new Date('2026-03-02T02:00:00Z');
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const schedule = [...harness.scheduler.schedules.values()].find(
    (s) => payloadOf(s).caseId === `${customerId}#welcome#2027-03-02`,
  )!;
  return { state, name: schedule.name, payload: payloadOf(schedule) };
}

/** The next export (the customer is still there) and the night's evaluation at 02:00 UTC. */
async function night(state: ReturnType<typeof customerState>, day: string) {
  await harness.ingest({ ...state, snapshotDate: day });
  harness.clock = new Date(`${day}T02:00:00Z`);
  return evaluatePortfolio(harness.evaluateDeps(), day);
}

const emailsTo = async (customerId: string) =>
  (await harness.ses.emails()).filter(
    (e) => e.destination.to?.[0] === `${customerId.toLowerCase()}@sweep.example`,
  );

describe('the nightly sweep', () => {
  it('schedules a lost email again at the next send time, once however often it sweeps, and it goes out once', async () => {
    // Prepare: the welcome's schedule is lost before it fired
    const { state, name, payload } = await welcomeOf('W-1');
    harness.scheduler.schedules.delete(name);

    // Act: Tuesday's night finds it, and the night is run twice
    const tuesday = await night(state, '2026-03-03');
    const again = await evaluatePortfolio(harness.evaluateDeps(), '2026-03-03');
    const remade = harness.scheduler.schedules.get(name);
    harness.clock = new Date('2026-03-03T08:30:00Z');
    const sent = await runStep(harness.stepDeps(), payloadOf(remade!));
    const wednesday = await night(state, '2026-03-04');

    // Assess
    expect(tuesday.rescheduled).toBe(1);
    expect(again.rescheduled).toBe(0);
    expect(remade).toMatchObject({ date: '2026-03-03', time: '09:30', timeZone: 'Europe/Berlin', payload });
    expect(sent).toBe('sent');
    expect(wednesday.rescheduled).toBe(0);
    expect(await emailsTo('W-1')).toHaveLength(1);
    const step = (await harness.store.getCase('W-1', payload.caseId))!.steps[payload.step]!;
    expect(step).toMatchObject({ dueOn: '2026-03-03', status: 'done' });
  });

  it('leaves a step alone whose schedule still waits, and steps already sent', async () => {
    // Prepare: W-2's schedule is still there (not fired yet, as for an email moved to the next business day)
    const waiting = await welcomeOf('W-2');
    const sent = await welcomeOf('W-3');
    harness.clock = new Date('2026-03-02T08:30:00Z');
    await runStep(harness.stepDeps(), sent.payload);
    harness.scheduler.schedules.delete(sent.name);

    // Act
    const tuesday = await night(waiting.state, '2026-03-03');

    // Assess
    expect(tuesday.rescheduled).toBe(0);
    expect(harness.scheduler.schedules.get(waiting.name)).toMatchObject({ date: '2026-03-02' });
    expect(harness.scheduler.schedules.has(sent.name)).toBe(false);
  });

  it('sends once after the function died mid-send and the scheduler gave up: the sweep brings it back', async () => {
    // Prepare: the send invocation dies after the claim; every retry within the lease fails; the schedule is gone
    const { state, name, payload } = await welcomeOf('W-4');
    harness.clock = new Date('2026-03-02T08:30:00Z');
    const dying = {
      ...harness.stepDeps(),
      ledger: withFaults(harness.stepDeps().ledger, {
        method: 'claim',
        when: 'after',
        times: 1,
        error: crash,
      }),
    };
    await runStep(dying, payload).catch(() => undefined);
    harness.clock = new Date('2026-03-02T08:35:00Z');
    const retry = await runStep(harness.stepDeps(), payload).catch((error: Error) => error);
    harness.scheduler.schedules.delete(name);

    // Act
    const tuesday = await night(state, '2026-03-03');
    harness.clock = new Date('2026-03-03T08:30:00Z');
    const sent = await runStep(harness.stepDeps(), payloadOf(harness.scheduler.schedules.get(name)!));

    // Assess
    expect(retry).toBeInstanceOf(ClaimHeldError);
    expect(tuesday.rescheduled).toBe(1);
    expect(sent).toBe('sent');
    expect(await emailsTo('W-4')).toHaveLength(1);
  });

  it(`does not send a step lost more than ${SWEEP_DAYS} days ago`, async () => {
    // Prepare
    const { state, name } = await welcomeOf('W-5');
    harness.scheduler.schedules.delete(name);

    // Act: the first night that runs after the loss is ten days later
    const late = await night(state, '2026-03-12');

    // Assess
    expect(late.rescheduled).toBe(0);
    expect(harness.scheduler.schedules.has(name)).toBe(false);
  });

  it('moves a lost email off a day its admin already has another customer email', async () => {
    // Prepare: one admin for two customers; B's welcome (Monday) is lost, A's term starts on Tuesday
    const shared = 'shared@sweep.example';
    const b = customerState({
      customerId: 'W-B',
      adminEmail: shared,
      termStart: '2026-03-02',
      date: '2026-03-02',
    });
    await harness.ingest(b);
    harness.clock = new Date('2026-03-02T02:00:00Z');
    await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
    const lost = [...harness.scheduler.schedules.values()].find((s) => payloadOf(s).customerId === 'W-B')!;
    harness.scheduler.schedules.delete(lost.name);
    await harness.ingest(
      customerState({ customerId: 'W-A', adminEmail: shared, termStart: '2026-03-03', date: '2026-03-03' }),
    );

    // Act
    const tuesday = await night(b, '2026-03-03');

    // Assess: two emails for one admin, on two days
    const days = [...harness.scheduler.schedules.values()]
      .filter((s) => ['W-A', 'W-B'].includes(payloadOf(s).customerId) && s.time === '09:30')
      .map((s) => s.date);
    expect(tuesday.rescheduled).toBe(1);
    expect(days).toHaveLength(2);
    expect(new Set(days).size).toBe(2);
  });

  it('fails the night while Scheduler throttles, and the retried night schedules the lost step', async () => {
    // Prepare
    const { state, name } = await welcomeOf('W-6');
    harness.scheduler.schedules.delete(name);
    await harness.ingest({ ...state, snapshotDate: '2026-03-03' });
    harness.clock = new Date('2026-03-03T02:00:00Z');
    const deps = harness.evaluateDeps();
    const throttled = {
      ...deps,
      scheduler: withFaults(deps.scheduler, {
        method: 'scheduleOnce',
        when: 'before',
        times: 'always',
        error: schedulerThrottled,
      }),
    };

    // Act
    const failed = await evaluatePortfolio(throttled, '2026-03-03').catch((error: Error) => error);
    const retried = await evaluatePortfolio(deps, '2026-03-03');

    // Assess
    expect(failed).toMatchObject({ name: 'ThrottlingException' });
    expect(retried.rescheduled).toBe(1);
    expect(harness.scheduler.schedules.get(name)).toMatchObject({ date: '2026-03-03', time: '09:30' });
  });
});

describe('the nightly function', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('emits StepsRescheduled with the dimensions its alarm reads', async () => {
    // Prepare: a lost welcome; the nightly function as Lambda builds it, on dynalite, with Scheduler mocked
    const { name } = await welcomeOf('W-8');
    harness.scheduler.schedules.delete(name);
    await harness.ingest({ ...(await welcomeState('W-8')), snapshotDate: '2026-03-03' });
    const scheduler = mockClient(SchedulerClient);
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    vi.useFakeTimers({ toFake: ['Date'] }).setSystemTime(new Date('2026-03-03T02:00:00Z'));
    let emitted: ReturnType<typeof metrics.serializeMetrics> | undefined;
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      emitted = metrics.serializeMetrics();
      metrics.clearMetrics();
      return metrics;
    });
    const handler = createEvaluateHandler(
      evaluateRoot({
        environment: environmentOf('evaluate', localVariables(harness.dynamo)),
        settings: settingsFor('evaluate', HARNESS_SETTINGS),
        clients: {
          dynamodb: harness.dynamo.documents,
          scheduler: new SchedulerClient({ region: LOCAL_REGION }),
          sqs: new VirtualQueue().client,
          ses: harness.ses.client,
        },
      }),
    );

    // Act
    const outcome = await handler(scheduledEvent(new Date(), 'clm-nightly'));

    // Assess
    expect(outcome).toMatchObject({ mode: 'whole', rescheduled: 1 });
    const created = scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input.Name);
    expect(created).toContain(name);
    expect(emitted).toMatchObject({ service: 'clm-autopilot', [METRIC.stepsRescheduled]: 1 });
    const directive = emitted!._aws.CloudWatchMetrics[0]!;
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics).toContainEqual(expect.objectContaining({ Name: METRIC.stepsRescheduled }));
    scheduler.restore();
  });
});

async function welcomeState(customerId: string) {
  return customerState({
    customerId,
    adminEmail: `${customerId.toLowerCase()}@sweep.example`,
    termStart: '2026-03-02',
    date: '2026-03-02',
  });
}
