import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIngestReports } from '../../../lambdas/adapters/dynamodb/dynamoIngestReports';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoMessageLedger } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { SesMailer } from '../../../lambdas/adapters/ses/sesMailer';
import {
  evaluatePortfolio,
  type StepPayload,
  stepScheduleName,
} from '../../../lambdas/delivery/evaluatePortfolio';
import { movedStepScheduleName } from '../../../lambdas/delivery/ownerActions';
import { runStep } from '../../../lambdas/delivery/runStep';
import { type DigestDependencies, sendDigests } from '../../../lambdas/delivery/sendDigests';
import { addDays } from '../../../lambdas/domain/dates';
import { signActionToken } from '../../../lambdas/domain/delivery/actionToken';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { createOwnerActionHandler } from '../../../lambdas/handlers/ownerAction';
import type { OneTimeSchedule } from '../../../lambdas/ports/scheduler';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness, TEST_SETTINGS } from '../../helpers/deliveryHarness';

const SECRET = 'test-secret-for-action-links';
const OWNER = 'dana.owner@reseller.example';
const ACTIVATION = 'D-1#activation#2027-01-05';
const RENEWAL = 'R-1#renewal#2026-05-25';

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
});
afterEach(async () => {
  await harness.close();
});

const payloadOf = (s: OneTimeSchedule) => s.payload as unknown as StepPayload;

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
    secret: async () => SECRET,
    now: () => harness.clock,
  };
}

function actionHandler() {
  return createOwnerActionHandler({
    store: harness.store,
    tasks: harness.tasks,
    actions: harness.actions,
    scheduler: harness.scheduler,
    events: harness.events,
    settings: TEST_SETTINGS,
    secret: async () => SECRET,
    now: () => harness.clock,
  });
}

/** A request as a Lambda function URL delivers it. */
function request(method: string, url: string): APIGatewayProxyEventV2 {
  const path = new URL(url).pathname;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    ...(method === 'POST' ? { body: 'confirm=yes' } : {}),
    requestContext: { http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

const open = (url: string) =>
  actionHandler()(request('GET', url)) as Promise<APIGatewayProxyStructuredResultV2 & { body: string }>;
const confirm = (url: string) =>
  actionHandler()(request('POST', url)) as Promise<APIGatewayProxyStructuredResultV2 & { body: string }>;

/** The action links of a digest, by their words. */
function linksOf(html: string): Record<string, string[]> {
  const links: Record<string, string[]> = {};
  for (const [, url, label] of html.matchAll(
    /<a href="(https:\/\/actions\.reseller\.example\/a\/[^"]+)"[^>]*>([^<]+)<\/a>/g,
  )) {
    const word = label!.replace('&#x27;', "'");
    links[word] = [...(links[word] ?? []), url!];
  }
  return links;
}

async function scheduleOf(caseId: string, step: number): Promise<OneTimeSchedule> {
  return [...harness.scheduler.schedules.values()].find(
    (s) => payloadOf(s).caseId === caseId && payloadOf(s).step === step,
  )!;
}

async function caseOf(customerId: string, caseId: string): Promise<Case> {
  return (await harness.store.getCase(customerId, caseId))!;
}

/** Low usage in week 9: an activation case whose call task (index 1) lands on 2026-03-09, escalation (2) a week later. */
async function activationTaskInDigest(): Promise<Record<string, string[]>> {
  await harness.ingest(
    customerState({
      customerId: 'D-1',
      ownerEmail: OWNER,
      termStart: '2026-01-05',
      date: '2026-03-02',
      activeUsers: 4,
    }),
  );
  harness.clock = new Date('2026-03-02T02:00:00Z');
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  harness.clock = new Date('2026-03-09T06:00:00Z');
  await runStep(harness.stepDeps(), payloadOf(await scheduleOf(ACTIVATION, 1)));
  harness.clock = new Date('2026-03-09T07:00:00Z');
  await sendDigests(digestDeps(), '2026-03-09');
  const [digest] = await harness.ses.emails();
  await harness.ses.clear();
  harness.clock = new Date('2026-03-10T09:00:00Z');
  return linksOf(digest?.body.html ?? '');
}

/** 84 days before the term ends: the renewal email and call task (index 0, 1), the follow-up email (index 2). */
async function renewalTaskInDigest(): Promise<Record<string, string[]>> {
  await harness.ingest(
    customerState({
      customerId: 'R-1',
      ownerEmail: OWNER,
      termStart: '2025-05-25',
      termEnd: '2026-05-25',
      date: '2026-03-02',
    }),
  );
  harness.clock = new Date('2026-03-02T02:00:00Z');
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const c = await caseOf('R-1', RENEWAL);
  const call = c.steps.find((s) => s.task === 'renewal-call')!;
  harness.clock = new Date(`${call.dueOn}T06:00:00Z`);
  await runStep(harness.stepDeps(), payloadOf(await scheduleOf(RENEWAL, call.index)));
  harness.clock = new Date(`${call.dueOn}T07:00:00Z`);
  await sendDigests(digestDeps(), call.dueOn);
  const [digest] = await harness.ses.emails();
  await harness.ses.clear();
  harness.clock = new Date(`${call.dueOn}T12:00:00Z`);
  return linksOf(digest?.body.html ?? '');
}

const actionEvents = () =>
  harness.events.events.filter((e) =>
    ['task-done', 'task-snoozed', 'customer-paused', 'customer-resumed'].includes(e.kind),
  );

describe('owner actions from the digest', () => {
  it('shows a confirmation on GET and changes nothing; Done on POST closes the task and cancels the escalation, once', async () => {
    // Prepare
    const links = await activationTaskInDigest();
    expect(Object.keys(links).sort()).toEqual(['Done', 'Pause customer 30 days', 'Snooze 7 days']);
    const done = links.Done![0]!;
    const escalationStep = payloadOf(await scheduleOf(ACTIVATION, 2));

    // Act
    const page = await open(done);
    const afterGet = await harness.tasks.dueBetween(OWNER, '2026-03-09', '2026-03-09');
    const first = await confirm(done);
    const second = await confirm(done);
    harness.clock = new Date('2026-03-16T06:00:00Z');
    const escalation = await runStep(harness.stepDeps(), escalationStep);

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('Mark this task done?');
    expect(page.body).toContain('<form method="post">');
    expect(afterGet).toHaveLength(1);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Task done');
    expect(second.statusCode).toBe(409);
    expect(await harness.tasks.dueBetween(OWNER, '2026-03-09', '2026-03-09')).toEqual([]);
    const c = await caseOf('D-1', ACTIVATION);
    expect(c.steps[2]!.status).toBe('cancelled');
    expect(harness.scheduler.cancelled).toContain(stepScheduleName(c, c.steps[2]!));
    expect(escalation).toBe('step-not-scheduled');
    expect(await harness.tasks.dueBetween('lead@reseller.example', '2026-03-16', '2026-03-16')).toEqual([]);
    expect(actionEvents()).toEqual([
      { kind: 'task-done', customerId: 'D-1', caseId: ACTIVATION, by: OWNER, at: '2026-03-10T09:00:00.000Z' },
    ]);
  });

  it('refuses tampered, foreign and expired links with a plain page and changes nothing', async () => {
    // Prepare
    const links = await activationTaskInDigest();
    const done = links.Done![0]!;
    const token = done.split('/a/')[1]!;
    const [payload, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as string[];
    const edited = Buffer.from(
      JSON.stringify(['done', 'mallory@elsewhere.example', ...claims.slice(2)]),
    ).toString('base64url');
    const tampered = done.replace(token, `${edited}.${mac}`);
    const foreign = done.replace(
      token,
      signActionToken(
        {
          action: 'done',
          by: OWNER,
          customerId: 'D-1',
          task: { to: claims[3]!, dueOn: claims[4]!, taskId: claims[5]! },
          locale: 'en',
          issuedOn: '2026-03-09',
        },
        'another-deployment-secret',
      ),
    );

    // Act
    const refused = [await confirm(tampered), await confirm(foreign)];
    harness.clock = new Date('2026-04-09T09:00:00Z');
    const expired = await confirm(done);

    // Assess
    for (const response of refused) {
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('This link does not work');
    }
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('This link has expired');
    expect(actionEvents()).toEqual([]);
    expect(await harness.tasks.dueBetween(OWNER, '2026-03-09', '2026-03-09')).toHaveLength(1);
    expect((await caseOf('D-1', ACTIVATION)).steps[2]!.status).toBe('scheduled');
  });

  it('says so when the task no longer exists', async () => {
    // Prepare: a genuine link to a task that is not there (expired, or never recorded)
    const token = signActionToken(
      {
        action: 'done',
        by: OWNER,
        customerId: 'D-1',
        task: { to: OWNER, dueOn: '2026-03-09', taskId: 'gone' },
        locale: 'en',
        issuedOn: '2026-03-09',
      },
      SECRET,
    );
    harness.clock = new Date('2026-03-10T09:00:00Z');

    // Act
    const page = await open(`https://actions.reseller.example/a/${token}`);
    const post = await confirm(`https://actions.reseller.example/a/${token}`);

    // Assess
    for (const response of [page, post]) {
      expect(response.statusCode).toBe(410);
      expect(response.body).toContain('This task no longer exists');
    }
    expect(actionEvents()).toEqual([]);
  });

  it('Snooze moves the task and its escalation by 7 days', async () => {
    // Prepare
    const links = await activationTaskInDigest();
    const escalationStep = payloadOf(await scheduleOf(ACTIVATION, 2));

    // Act
    const response = await confirm(links['Snooze 7 days']![0]!);
    harness.clock = new Date('2026-03-16T06:00:00Z');
    const oldDay = await runStep(harness.stepDeps(), escalationStep);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(await harness.tasks.dueBetween(OWNER, '2026-03-09', '2026-03-15')).toEqual([]);
    expect(await harness.tasks.dueBetween(OWNER, '2026-03-17', '2026-03-17')).toEqual([
      expect.objectContaining({ customerId: 'D-1', caseId: ACTIVATION, dueOn: '2026-03-17' }),
    ]);
    const c = await caseOf('D-1', ACTIVATION);
    expect(c.steps[2]).toMatchObject({ status: 'scheduled', dueOn: '2026-03-23' });
    expect(harness.scheduler.schedules.get(movedStepScheduleName(c, c.steps[2]!))).toMatchObject({
      date: '2026-03-23',
      time: '07:00',
    });
    expect(oldDay).toBe('not-due-yet');
    expect(actionEvents()).toEqual([
      expect.objectContaining({ kind: 'task-snoozed', customerId: 'D-1', by: OWNER }),
    ]);
  });

  it('Pause holds every email of the customer, the schedules made before it included; Resume lifts it', async () => {
    // Prepare
    const links = await renewalTaskInDigest();
    expect(links["Won't renew"]).toHaveLength(1);
    const followUp = (await caseOf('R-1', RENEWAL)).steps.find((s) => s.template === 'renewal-followup')!;

    // Act
    const paused = await confirm(links['Pause customer 30 days']![0]!);
    harness.clock = new Date(`${followUp.dueOn}T12:00:00Z`);
    const outcome = await runStep(harness.stepDeps(), payloadOf(await scheduleOf(RENEWAL, followUp.index)));
    harness.clock = new Date(`${followUp.dueOn}T06:30:00Z`);
    await sendDigests(digestDeps(), followUp.dueOn);
    const digests = await harness.ses.emails();
    const resume = linksOf(digests[0]?.body.html ?? '').Resume ?? [];
    const resumed = await confirm(resume[0] ?? 'https://actions.reseller.example/a/missing');

    // Assess
    expect(paused.statusCode).toBe(200);
    expect(outcome).toBe('paused');
    expect(digests.filter((e) => e.destination.to[0] === 'lena.wagner@nordstone.example')).toEqual([]);
    expect(harness.events.events).toContainEqual(
      expect.objectContaining({ kind: 'suppressed', customerId: 'R-1', reason: 'customer-paused' }),
    );
    expect(digests[0]!.body.html).toContain('Paused customers');
    expect(resumed.statusCode).toBe(200);
    expect(await harness.actions.pauseOf('R-1', followUp.dueOn)).toBeNull();
    expect(actionEvents().map((e) => e.kind)).toEqual(['customer-paused', 'customer-resumed']);
    expect(actionEvents()[0]).toMatchObject({ customerId: 'R-1', caseId: RENEWAL, by: OWNER });
  });

  it('a pause that has ended holds nothing, though TTL has not removed it yet: the step sends', async () => {
    // Prepare: the owner paused the customer until the day before the follow-up
    await renewalTaskInDigest();
    const followUp = (await caseOf('R-1', RENEWAL)).steps.find((s) => s.template === 'renewal-followup')!;
    await harness.actions.pause(
      { customerId: 'R-1', until: addDays(followUp.dueOn, -1), by: OWNER },
      harness.clock,
    );
    await harness.ses.clear();

    // Act
    harness.clock = new Date(`${followUp.dueOn}T12:00:00Z`);
    const outcome = await runStep(harness.stepDeps(), payloadOf(await scheduleOf(RENEWAL, followUp.index)));

    // Assess
    expect(outcome).toBe('sent');
    expect((await harness.ses.emails()).map((e) => e.destination.to[0])).toEqual([
      'lena.wagner@nordstone.example',
    ]);
  });

  it("Won't renew closes the renewal case: no more renewal emails", async () => {
    // Prepare
    const links = await renewalTaskInDigest();
    const followUp = (await caseOf('R-1', RENEWAL)).steps.find((s) => s.template === 'renewal-followup')!;
    const followUpStep = payloadOf(await scheduleOf(RENEWAL, followUp.index));

    // Act
    const response = await confirm(links["Won't renew"]![0]!);
    harness.clock = new Date(`${followUp.dueOn}T12:00:00Z`);
    const outcome = await runStep(harness.stepDeps(), followUpStep);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(await caseOf('R-1', RENEWAL)).toMatchObject({ status: 'closed', outcome: 'wont-renew' });
    expect(outcome).toBe('step-not-scheduled');
    expect(harness.scheduler.schedules.has(stepScheduleName({ caseId: RENEWAL }, followUp))).toBe(false);
    expect(await harness.ses.emails()).toEqual([]);
  });

  it('shows the team leads what each owner did: done within 7 days, snoozed and overdue', async () => {
    // Prepare: Done on one task, then a day with a problem file so the team digest goes out
    const links = await activationTaskInDigest();
    await confirm(links.Done![0]!);
    await new DynamoIngestStore({
      client: harness.dynamo.documents,
      portfolioTable: harness.dynamo.tables.Portfolio!,
      activityTable: harness.dynamo.tables.Activity!,
      retentionDays: 400,
    }).finishFile({
      fileId: 'f1',
      bucket: 'b',
      key: 'snapshots/export-2026-03-11.csv',
      status: 'ingested',
      snapshotDate: '2026-03-11',
      rows: 10,
      accepted: 9,
      duplicates: 0,
      rejectedCount: 1,
      firstRejections: [{ line: 3, column: 'admin_email', reason: 'not a valid email address "x"' }],
      customers: 9,
      error: null,
      processedAt: '2026-03-11T05:00:00.000Z',
    });
    harness.clock = new Date('2026-03-11T07:00:00Z');

    // Act
    await sendDigests(digestDeps(), '2026-03-11');

    // Assess
    const team = (await harness.ses.emails()).find((e) => e.destination.to[0] === 'lead@reseller.example')!;
    expect(team.body.html).toContain('What the owners did');
    expect(team.body.text).toContain(`${OWNER}: Done in 7 days 1, Snoozed 0, Overdue 0`);
  });
});
