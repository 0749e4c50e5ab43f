import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIngestReports } from '../../../lambdas/adapters/dynamodb/dynamoIngestReports';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoMessageLedger } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { SesMailer } from '../../../lambdas/adapters/ses/sesMailer';
import { evaluatePortfolio, type StepPayload } from '../../../lambdas/delivery/evaluatePortfolio';
import { runStep } from '../../../lambdas/delivery/runStep';
import { type DigestDependencies, sendDigests } from '../../../lambdas/delivery/sendDigests';
import { lineKeyOf } from '../../../lambdas/domain/customer';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness, TEST_SETTINGS } from '../../helpers/deliveryHarness';

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
});
afterEach(async () => {
  await harness.close();
});

function digestDeps(): DigestDependencies {
  return {
    store: harness.store,
    tasks: harness.tasks,
    reports: new DynamoIngestReports(harness.dynamo.documents, harness.dynamo.tables.Activity!),
    ledger: new DynamoMessageLedger(harness.dynamo.documents, harness.dynamo.tables.Activity!, 400),
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

/** Evaluates 2026-03-02 and records D-1's activation call on 2026-03-09: a task that makes the digest worth sending. */
async function recordActivationCall(): Promise<void> {
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const call = [...harness.scheduler.schedules.values()].find(
    (s) => (s.payload as unknown as StepPayload).caseId === 'D-1#activation#2027-01-05',
  )!;
  harness.clock = new Date('2026-03-09T06:00:00Z');
  await runStep(harness.stepDeps(), { ...(call.payload as unknown as StepPayload), step: 1 });
}

describe('digests', () => {
  it('sends the owner a digest with the new task, its numbers and talking points, once a day; quiet owners get none', async () => {
    // Prepare: low usage in week 9 opens activation; its call task is due a week later
    const busy = customerState({
      customerId: 'D-1',
      ownerEmail: 'dana.owner@reseller.example',
      termStart: '2026-01-05',
      date: '2026-03-02',
      activeUsers: 4,
    });
    const healthy = customerState({
      customerId: 'D-2',
      ownerEmail: 'quiet.owner@reseller.example',
      adminEmail: 'ok@fine.example',
      termStart: '2026-01-05',
      date: '2026-03-02',
      activeUsers: 19,
    });
    await harness.ingest(busy);
    await harness.ingest(healthy);
    await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
    const call = [...harness.scheduler.schedules.values()].find(
      (s) =>
        (s.payload as unknown as StepPayload).caseId === 'D-1#activation#2027-01-05' &&
        (s.payload as unknown as StepPayload).step === 1,
    )!;
    harness.clock = new Date('2026-03-09T06:00:00Z');
    await runStep(harness.stepDeps(), call.payload as unknown as StepPayload);
    harness.clock = new Date('2026-03-09T07:00:00Z');

    // Act
    const first = await sendDigests(digestDeps(), '2026-03-09');
    const second = await sendDigests(digestDeps(), '2026-03-09');

    // Assess
    expect(first.sent).toBe(1);
    expect(second.sent).toBe(0);
    const emails = await harness.ses.emails();
    expect(emails.map((e) => e.destination.to[0])).toEqual(['dana.owner@reseller.example']);
    const [digest] = emails;
    expect(digest!.subject).toBe('Your customer tasks today: 1 new, 0 overdue');
    expect(digest!.body.html).toContain('Call about low usage: Nordstone Design GmbH');
    expect(digest!.body.html).toContain('href="mailto:lena.wagner@nordstone.example"');
    expect(digest!.body.text).toContain(
      'Call script: Few of the paid seats are in use. Help the admin get the team started within a week.',
    );
    expect(digest!.body.text).toContain('Offer a session with the whole team');
    expect(digest!.body.text).toContain('Creative Cloud All Apps: 20 / 20 / 4');
    expect(harness.events.events).toContainEqual(
      expect.objectContaining({ kind: 'digest', to: 'dana.owner@reseller.example', level: 1, items: 1 }),
    );
  });

  it('counts a customer whose utilization rose more than 10 points in 30 days among the growers', async () => {
    // Prepare: one customer with a call task, another who went from 6 to 16 active users of 20 in 30 days
    const busy = { customerId: 'D-1', termStart: '2026-01-05', activeUsers: 4 };
    await harness.ingest(customerState({ ...busy, date: '2026-01-30' }));
    const grower = { customerId: 'D-5', adminEmail: 'grow@grower.example', termStart: '2025-06-01' };
    await harness.ingest(customerState({ ...grower, date: '2026-01-30', activeUsers: 6 }));
    await harness.ingest(customerState({ ...grower, date: '2026-03-02', activeUsers: 16 }));
    await harness.ingest(customerState({ ...busy, date: '2026-03-02' }));
    await recordActivationCall();
    harness.clock = new Date('2026-03-09T07:00:00Z');

    // Act
    await sendDigests(digestDeps(), '2026-03-09');

    // Assess
    const [digest] = await harness.ses.emails();
    expect(digest!.body.text).toContain('rose more than 10 points in 30 days: 1');
  });

  it("lists as new a task recorded after its day's digest went out (a bounce at noon), and not again one recorded before it", async () => {
    // Prepare: two tasks due Monday, one recorded before Monday's 08:00 digest and one at noon, after it
    await harness.ingest(
      customerState({
        customerId: 'D-1',
        ownerEmail: 'dana.owner@reseller.example',
        termStart: '2026-01-05',
        date: '2026-03-09',
      }),
    );
    const task = {
      to: 'dana.owner@reseller.example',
      level: 1 as const,
      customerId: 'D-1',
      caseId: null,
      task: 'fix-contact',
      reason: 'bounced',
      dueOn: '2026-03-09',
    };
    await harness.tasks.add({ ...task, taskId: 'before-the-digest', addedAt: '2026-03-09T05:00:00.000Z' });
    await harness.tasks.add({ ...task, taskId: 'after-the-digest', addedAt: '2026-03-09T11:00:00.000Z' });
    harness.clock = new Date('2026-03-10T07:00:00Z');

    // Act
    await sendDigests(digestDeps(), '2026-03-10');

    // Assess
    const [digest] = await harness.ses.emails();
    expect(digest!.subject).toBe('Your customer tasks today: 1 new, 0 overdue');
  });

  it('names the products of a task whose case finished long before the digest (the load leaves that case behind)', async () => {
    // Prepare: two subscriptions on different terms; a snoozed call about the Acrobat term, due today, whose
    // renewal case resolved a month ago
    const acrobat = {
      product: 'Acrobat Pro',
      licensesPurchased: 5,
      licensesAssigned: 5,
      activeUsers: 2,
      termStart: '2025-07-01',
      termEnd: '2026-06-30',
    };
    const base = customerState({ customerId: 'D-7', termStart: '2026-01-05', date: '2026-03-09' });
    await harness.ingest({ ...base, lines: [...base.lines, acrobat] });
    const renewal: Case = {
      caseId: 'D-7#renewal#2026-06-30',
      customerId: 'D-7',
      playId: 'renewal',
      priority: 1,
      termEnd: '2026-06-30',
      lineKeys: [lineKeyOf(acrobat)],
      openedOn: '2026-01-20',
      anchorOn: '2026-01-20',
      expiresOn: '2026-07-30',
      status: 'resolved',
      resolvedOn: '2026-02-06',
      closedOn: null,
      recipient: base.adminAddress,
      baselineUtilization: null,
      steps: [],
    };
    await harness.store.saveCases([renewal]);
    await harness.tasks.add({
      taskId: 'snoozed-call',
      to: base.ownerEmail,
      level: 1,
      customerId: 'D-7',
      caseId: renewal.caseId,
      task: 'renewal-call',
      reason: null,
      dueOn: '2026-03-09',
    });
    harness.clock = new Date('2026-03-09T07:00:00Z');

    // Act
    await sendDigests(digestDeps(), '2026-03-09');

    // Assess: the task's lines are the case's term, not every running subscription
    const [digest] = await harness.ses.emails();
    expect(digest!.body.text).toContain('Acrobat Pro: 5 / 5 / 2');
    expect(digest!.body.text).not.toContain('Creative Cloud All Apps:');
  });

  it("lists the owner's customers paused today, not a pause that ended or another owner's", async () => {
    // Prepare: a call task makes the digest worth sending; three pauses
    await harness.ingest(
      customerState({ customerId: 'D-1', termStart: '2026-01-05', date: '2026-03-02', activeUsers: 4 }),
    );
    await harness.ingest(
      customerState({ customerId: 'P-1', customerName: 'Paused Today GmbH', date: '2026-03-02' }),
    );
    await harness.ingest(
      customerState({ customerId: 'P-2', customerName: 'Pause Ended GmbH', date: '2026-03-02' }),
    );
    const other = { ownerEmail: 'marco.owner@reseller.example', date: '2026-03-02' };
    await harness.ingest(customerState({ ...other, customerId: 'P-3', customerName: 'Not Yours GmbH' }));
    await recordActivationCall();
    const by = 'dana.owner@reseller.example';
    await harness.actions.pause({ customerId: 'P-1', until: '2026-03-09', by }, harness.clock);
    await harness.actions.pause({ customerId: 'P-2', until: '2026-03-08', by }, harness.clock);
    await harness.actions.pause(
      { customerId: 'P-3', until: '2026-04-01', by: other.ownerEmail },
      harness.clock,
    );
    harness.clock = new Date('2026-03-09T07:00:00Z');

    // Act
    await sendDigests(digestDeps(), '2026-03-09');

    // Assess
    const digest = (await harness.ses.emails()).find((e) => e.destination.to[0] === by)!;
    expect(digest.body.text).toContain('Paused Today GmbH');
    expect(digest.body.text).not.toContain('Pause Ended GmbH');
    expect(digest.body.text).not.toContain('Not Yours GmbH');
  });

  it('sends the team leads ingest problems and skips a day with nothing to report', async () => {
    // Prepare
    await harness.ingest(customerState({ customerId: 'D-3', date: '2026-03-02' }));
    harness.clock = new Date('2026-03-03T07:00:00Z');
    const quiet = await sendDigests(digestDeps(), '2026-03-03');
    const store = new DynamoIngestStore({
      client: harness.dynamo.documents,
      portfolioTable: harness.dynamo.tables.Portfolio!,
      activityTable: harness.dynamo.tables.Activity!,
      retentionDays: 400,
    });
    await store.finishFile({
      fileId: 'f1',
      bucket: 'b',
      key: 'snapshots/partner-center-2026-03-03.csv',
      status: 'ingested',
      snapshotDate: '2026-03-03',
      rows: 120,
      accepted: 118,
      duplicates: 0,
      rejectedCount: 2,
      firstRejections: [{ line: 7, column: 'admin_email', reason: 'not a valid email address "x"' }],
      customers: 40,
      error: null,
      processedAt: '2026-03-03T05:00:00.000Z',
    });

    // Act
    const withProblems = await sendDigests(digestDeps(), '2026-03-03');

    // Assess
    expect(quiet.sent).toBe(0);
    expect(withProblems.sent).toBe(1);
    const [team] = await harness.ses.emails();
    expect(team!.destination.to).toEqual(['lead@reseller.example']);
    expect(team!.body.html).toContain('snapshots/partner-center-2026-03-03.csv');
    expect(team!.body.text).toContain('line 7, admin_email: not a valid email address');
  });
});
