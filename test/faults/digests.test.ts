import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIngestReports } from '../../lambdas/adapters/dynamodb/dynamoIngestReports';
import { DynamoMessageLedger } from '../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { SesMailer } from '../../lambdas/adapters/ses/sesMailer';
import { evaluatePortfolio, type StepPayload } from '../../lambdas/delivery/evaluatePortfolio';
import { ClaimHeldError, runStep } from '../../lambdas/delivery/runStep';
import { type DigestDependencies, sendDigests } from '../../lambdas/delivery/sendDigests';
import { customerState } from '../helpers/customerFactory';
import { DeliveryHarness, TEST_SETTINGS } from '../helpers/deliveryHarness';
import { crash, type Fault, networkFailure, withFaults } from './helpers/faults';

// The owner's digest under ledger faults: sent once, never lost.

const OWNER = 'dana.owner@reseller.example';
let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
});
afterEach(async () => {
  await harness.close();
});

function digestDeps(ledgerFaults: Fault[] = []): DigestDependencies {
  const ledger = new DynamoMessageLedger(harness.dynamo.documents, harness.dynamo.tables.Activity!, 400);
  return {
    store: harness.store,
    tasks: harness.tasks,
    reports: new DynamoIngestReports(harness.dynamo.documents, harness.dynamo.tables.Activity!),
    ledger: withFaults(ledger, ...ledgerFaults),
    mailer: new SesMailer({
      client: harness.ses.client,
      senderEmail: 'success@reseller.example',
      senderName: 'Northwind Licensing',
    }),
    renderer: harness.renderer,
    events: harness.events,
    actions: harness.actions,
    settings: TEST_SETTINGS,
    secret: async () => 'test-secret-for-action-links',
    now: () => harness.clock,
  };
}

/** An owner with a new call task on Monday 2026-03-09, so Monday's digest has something to say. */
async function ownerWithTask() {
  await harness.ingest(
    customerState({
      customerId: 'G-1',
      ownerEmail: OWNER,
      termStart: '2026-01-05',
      date: '2026-03-02',
      activeUsers: 4,
    }),
  );
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const call = [...harness.scheduler.schedules.values()].find(
    (s) =>
      (s.payload as unknown as StepPayload).caseId === 'G-1#activation#2027-01-05' &&
      (s.payload as unknown as StepPayload).step === 1,
  )!;
  harness.clock = new Date('2026-03-09T06:00:00Z');
  await runStep(harness.stepDeps(), call.payload as unknown as StepPayload);
  harness.clock = new Date('2026-03-09T07:00:00Z');
}

const digestsTo = async (to: string) =>
  (await harness.ses.emails()).filter((e) => e.destination.to?.[0] === to);

describe('digest faults', () => {
  it('sends the digest once when SES accepted it and the ledger write failed', async () => {
    // Prepare
    await ownerWithTask();
    const failing = digestDeps([
      { method: 'markSent', when: 'before', times: 'always', error: networkFailure },
    ]);

    // Act
    const first = await sendDigests(failing, '2026-03-09').catch((error: Error) => error);
    harness.clock = new Date('2026-03-09T07:05:00Z');
    const retry = await sendDigests(digestDeps(), '2026-03-09').catch((error: Error) => error);

    // Assess: the retry finds the claim kept and does not send again
    expect((first as Error).name).toBe('SentNotRecordedError');
    expect(retry).toBeInstanceOf(ClaimHeldError);
    expect(await digestsTo(OWNER)).toHaveLength(1);
  });

  it('sends the digest after the lease when the function died after claiming it', async () => {
    // Prepare
    await ownerWithTask();
    const dying = digestDeps([{ method: 'claim', when: 'after', times: 1, error: crash }]);

    // Act
    const died = await sendDigests(dying, '2026-03-09').catch((error: Error) => error);
    harness.clock = new Date('2026-03-09T07:01:00Z');
    const early = await sendDigests(digestDeps(), '2026-03-09').catch((error: Error) => error);
    harness.clock = new Date('2026-03-09T07:20:00Z');
    const afterLease = await sendDigests(digestDeps(), '2026-03-09');
    const again = await sendDigests(digestDeps(), '2026-03-09');

    // Assess
    expect((died as Error).name).toBe('SimulatedCrash');
    expect(early).toBeInstanceOf(ClaimHeldError);
    expect(afterLease.sent).toBe(1);
    expect(again.sent).toBe(0);
    expect(await digestsTo(OWNER)).toHaveLength(1);
  });
});
