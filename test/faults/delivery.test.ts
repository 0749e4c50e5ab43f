import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluatePortfolio, type StepPayload } from '../../lambdas/delivery/evaluatePortfolio';
import {
  ClaimHeldError,
  RetryLaterError,
  runStep,
  SentNotRecordedError,
  type StepDependencies,
} from '../../lambdas/delivery/runStep';
import { MailerThrottledError } from '../../lambdas/ports/mailer';
import { customerState } from '../helpers/customerFactory';
import { DeliveryHarness } from '../helpers/deliveryHarness';
import {
  crash,
  dynamoThrottled,
  type Fault,
  networkFailure,
  SimulatedCrash,
  sesThrottled,
  withFaults,
} from './helpers/faults';

// Faults injected at the step's ports, on the emulators: each test plays the scheduler's retries and counts the
// emails SES really accepted.

const LEASE_MS = 900_000;

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
});
afterEach(async () => {
  await harness.close();
});

async function welcomeStep(customerId: string): Promise<StepPayload> {
  const state = customerState({
    customerId,
    adminEmail: `${customerId.toLowerCase()}@faults.example`,
    termStart: '2026-03-02',
    date: '2026-03-02',
  });
  await harness.ingest(state);
  harness.clock = new Date('2026-03-02T02:00:00Z');
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const schedule = [...harness.scheduler.schedules.values()].find(
    (s) => (s.payload as unknown as StepPayload).caseId === `${customerId}#welcome#2027-03-02`,
  )!;
  harness.clock = new Date('2026-03-02T08:30:00Z');
  return schedule.payload as unknown as StepPayload;
}

/** The step's ports with faults: one object per port, so a test can read its call log. */
function faulty(faults: { ledger?: Fault[]; store?: Fault[]; mailer?: Fault[] }) {
  const base = harness.stepDeps();
  const deps: StepDependencies = {
    ...base,
    ledger: withFaults(base.ledger, ...(faults.ledger ?? [])),
    store: withFaults(base.store, ...(faults.store ?? [])),
    mailer: withFaults(base.mailer, ...(faults.mailer ?? [])),
  };
  return deps;
}

/** An invocation as the scheduler sees it: the outcome, or the name of the error that makes it retry. */
const invoke = (deps: StepDependencies, payload: StepPayload) =>
  runStep(deps, payload).catch((error: Error) => error);

const welcomeEmails = async (customerId: string) =>
  (await harness.ses.emails()).filter(
    (e) => e.destination.to?.[0] === `${customerId.toLowerCase()}@faults.example`,
  );

const stepStatus = async (payload: StepPayload) =>
  (await harness.store.getCase(payload.customerId, payload.caseId))!.steps[payload.step]!.status;

describe('SES accepted the email, then recording it failed', () => {
  it('repeats the ledger record, not the send, when the first record fails', async () => {
    // Prepare
    const payload = await welcomeStep('F-1');
    const deps = faulty({
      ledger: [{ method: 'markSent', when: 'before', times: 1, error: networkFailure }],
    });

    // Act
    const outcome = await invoke(deps, payload);
    const retry = await invoke(harness.stepDeps(), payload);

    // Assess
    expect(outcome).toBe('sent');
    expect(retry).toBe('step-not-scheduled');
    expect(await welcomeEmails('F-1')).toHaveLength(1);
    expect(await stepStatus(payload)).toBe('done');
  });

  it('sends once when the ledger never takes the record: the case step keeps the retries from sending', async () => {
    // Prepare
    const payload = await welcomeStep('F-2');
    const deps = faulty({
      ledger: [{ method: 'markSent', when: 'before', times: 'always', error: networkFailure }],
    });

    // Act: the first invocation fails after the send; the scheduler retries, also after the claim's lease
    const first = await invoke(deps, payload);
    const retry = await invoke(deps, payload);
    harness.clock = new Date(harness.clock.getTime() + LEASE_MS + 1_000);
    const afterLease = await invoke(deps, payload);

    // Assess
    expect(first).toBeInstanceOf(SentNotRecordedError);
    expect(retry).toBe('step-not-scheduled');
    expect(afterLease).toBe('step-not-scheduled');
    expect(await welcomeEmails('F-2')).toHaveLength(1);
    expect(harness.events.events.filter((e) => e.kind === 'email' && e.customerId === 'F-2')).toHaveLength(1);
  });

  it('sends once when the answer of the ledger write is lost after it was written', async () => {
    // Prepare
    const payload = await welcomeStep('F-3');
    const deps = faulty({
      ledger: [{ method: 'markSent', when: 'after', times: 'always', error: networkFailure }],
    });

    // Act
    const first = await invoke(deps, payload);
    harness.clock = new Date(harness.clock.getTime() + LEASE_MS + 1_000);
    const retry = await invoke(harness.stepDeps(), payload);

    // Assess
    expect(first).toBeInstanceOf(SentNotRecordedError);
    expect(retry).toBe('step-not-scheduled');
    expect(await welcomeEmails('F-3')).toHaveLength(1);
  });

  it('marks the step on the retry when the ledger took the record but the case step did not', async () => {
    // Prepare
    const payload = await welcomeStep('F-4');
    const deps = faulty({
      store: [{ method: 'markStepDone', when: 'before', times: 1, error: dynamoThrottled }],
    });

    // Act
    const first = await invoke(deps, payload);
    const retry = await invoke(deps, payload);

    // Assess
    expect((first as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(retry).toBe('already-sent');
    expect(await stepStatus(payload)).toBe('done');
    expect(await welcomeEmails('F-4')).toHaveLength(1);
  });
});

describe('the function dies mid-send', () => {
  it('fails the retries while the claim is held, then sends exactly once after its lease', async () => {
    // Prepare: the claim is written, then the process dies
    const payload = await welcomeStep('F-5');
    const deps = faulty({ ledger: [{ method: 'claim', when: 'after', times: 1, error: crash }] });

    // Act: the scheduler's retries at +1 and +3 minutes, then one after the lease
    const died = await invoke(deps, payload);
    harness.clock = new Date(harness.clock.getTime() + 60_000);
    const early = await invoke(deps, payload);
    harness.clock = new Date(harness.clock.getTime() + 120_000);
    const later = await invoke(deps, payload);
    const beforeLease = await welcomeEmails('F-5');
    harness.clock = new Date(harness.clock.getTime() + LEASE_MS);
    const afterLease = await invoke(deps, payload);
    const again = await invoke(deps, payload);

    // Assess
    expect(died).toBeInstanceOf(SimulatedCrash);
    expect(early).toBeInstanceOf(ClaimHeldError);
    expect(early).toBeInstanceOf(RetryLaterError);
    expect(later).toBeInstanceOf(ClaimHeldError);
    expect(beforeLease).toHaveLength(0);
    expect(afterLease).toBe('sent');
    expect(again).toBe('step-not-scheduled');
    expect(await welcomeEmails('F-5')).toHaveLength(1);
  });

  it('gives the claim back when the function fails before SES accepted, so the next retry sends', async () => {
    // Prepare: the send itself fails on the way (SES never saw it)
    const payload = await welcomeStep('F-6');
    const deps = faulty({ mailer: [{ method: 'send', when: 'before', times: 1, error: networkFailure }] });

    // Act
    const first = await invoke(deps, payload);
    const retry = await invoke(deps, payload);

    // Assess
    expect((first as Error).name).toBe('InternalServerError');
    expect(retry).toBe('sent');
    expect(await welcomeEmails('F-6')).toHaveLength(1);
  });
  it('reports the send failure, not the release failure, and sends once after the lease when both fail', async () => {
    // Prepare: the send fails on the way, and giving the claim back fails too
    const payload = await welcomeStep('F-11');
    const deps = faulty({
      mailer: [{ method: 'send', when: 'before', times: 1, error: networkFailure }],
      ledger: [{ method: 'release', when: 'before', times: 1, error: dynamoThrottled }],
    });

    // Act
    const first = await invoke(deps, payload);
    const early = await invoke(deps, payload);
    harness.clock = new Date(harness.clock.getTime() + LEASE_MS + 1_000);
    const afterLease = await invoke(deps, payload);

    // Assess
    expect((first as Error).name).toBe('InternalServerError');
    expect(early).toBeInstanceOf(ClaimHeldError);
    expect(afterLease).toBe('sent');
    expect(await welcomeEmails('F-11')).toHaveLength(1);
  });
});

describe('throttling', () => {
  it('asks the scheduler to retry while SES throttles, then sends once', async () => {
    // Prepare
    const payload = await welcomeStep('F-7');
    const deps = faulty({ mailer: [{ method: 'send', when: 'before', times: 2, error: sesThrottled }] });

    // Act
    const outcomes = [await invoke(deps, payload), await invoke(deps, payload), await invoke(deps, payload)];

    // Assess
    expect(outcomes[0]).toBeInstanceOf(RetryLaterError);
    expect((outcomes[0] as Error).cause).toBeInstanceOf(MailerThrottledError);
    expect(outcomes[1]).toBeInstanceOf(RetryLaterError);
    expect(outcomes[2]).toBe('sent');
    expect(await welcomeEmails('F-7')).toHaveLength(1);
  });

  const twice = (method: string): Fault[] => [{ method, when: 'before', times: 2, error: dynamoThrottled }];
  it.each([
    ['reading the case', { store: twice('stepContext') }],
    ['claiming the email', { ledger: twice('claim') }],
  ])('fails while DynamoDB throttles %s, and the retry sends once', async (_, faults) => {
    // Prepare
    const payload = await welcomeStep('F-8');
    const deps = faulty(faults);

    // Act
    const outcomes = [await invoke(deps, payload), await invoke(deps, payload), await invoke(deps, payload)];

    // Assess
    expect(outcomes.map((o) => (o instanceof Error ? o.name : o))).toEqual([
      'ProvisionedThroughputExceededException',
      'ProvisionedThroughputExceededException',
      'sent',
    ]);
    expect(await welcomeEmails('F-8')).toHaveLength(1);
  });
});

describe('duplicate invocations', () => {
  it('sends one email when the same step is invoked five times at once, and the losers retry to no effect', async () => {
    // Prepare
    const payload = await welcomeStep('F-9');

    // Act
    const first = await Promise.all(Array.from({ length: 5 }, () => invoke(harness.stepDeps(), payload)));
    const retries = await Promise.all(
      first.filter((o) => o instanceof Error).map(() => invoke(harness.stepDeps(), payload)),
    );

    // Assess
    expect(first.filter((o) => o === 'sent')).toHaveLength(1);
    expect(
      first
        .filter((o) => o !== 'sent')
        .every((o) => o instanceof ClaimHeldError || o === 'step-not-scheduled' || o === 'already-sent'),
    ).toBe(true);
    expect(retries.every((o) => o === 'step-not-scheduled' || o === 'already-sent')).toBe(true);
    expect(await welcomeEmails('F-9')).toHaveLength(1);
  });
});

describe('task steps', () => {
  it('records one task when the task book wrote it but the answer was lost, and the step is retried', async () => {
    // Prepare: an activation case (week 9, low use); its call task is step 2 (index 1), due a week later
    const state = customerState({
      customerId: 'F-10',
      adminEmail: 'f-10@faults.example',
      termStart: '2026-01-05',
      date: '2026-03-02',
      activeUsers: 4,
    });
    await harness.ingest(state);
    harness.clock = new Date('2026-03-02T02:00:00Z');
    await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
    const call = [...harness.scheduler.schedules.values()].find(
      (s) =>
        (s.payload as unknown as StepPayload).caseId === 'F-10#activation#2027-01-05' &&
        (s.payload as unknown as StepPayload).step === 1,
    )!;
    harness.clock = new Date('2026-03-09T06:00:00Z');
    const base = harness.stepDeps();
    const deps = {
      ...base,
      tasks: withFaults(base.tasks, { method: 'add', when: 'after', times: 1, error: networkFailure }),
    };

    // Act
    const first = await invoke(deps, call.payload as unknown as StepPayload);
    const retry = await invoke(deps, call.payload as unknown as StepPayload);

    // Assess
    expect((first as Error).name).toBe('InternalServerError');
    expect(retry).toBe('task-recorded');
    expect(await harness.tasks.dueBetween(state.ownerEmail, '2026-03-09', '2026-03-09')).toEqual([
      expect.objectContaining({ customerId: 'F-10', task: 'call-admin-activation', level: 1 }),
    ]);
  });
});
