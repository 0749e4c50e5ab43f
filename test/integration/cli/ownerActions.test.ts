import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import type { CliIo } from '../../../cli/command';
import { createOwnerActionCommands } from '../../../cli/ownerActions';
import { DynamoIngestReports } from '../../../lambdas/adapters/dynamodb/dynamoIngestReports';
import { DynamoMessageLedger } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { SesMailer } from '../../../lambdas/adapters/ses/sesMailer';
import {
  evaluatePortfolio,
  type StepPayload,
  stepScheduleName,
} from '../../../lambdas/delivery/evaluatePortfolio';
import { runStep } from '../../../lambdas/delivery/runStep';
import { sendDigests } from '../../../lambdas/delivery/sendDigests';
import { addDays } from '../../../lambdas/domain/dates';
import { createOwnerActionHandler } from '../../../lambdas/handlers/ownerAction';
import type { OneTimeSchedule } from '../../../lambdas/ports/scheduler';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness, TEST_SETTINGS } from '../../helpers/deliveryHarness';

// `clm task` and `clm customer` through `main`, against the stack's real owner-action handler (function-URL-shaped
// events) on the emulators; only the stack outputs and the secret come from mocks (no emulator for them).

const SECRET = 'test-secret-for-action-links';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:UnsubscribeSigningKey-abc';
const ACTION_URL = 'https://abc123.lambda-url.eu-central-1.on.aws/';
const OWNER = 'dana.owner@reseller.example';
const ACTIVATION = 'D-1#activation#2027-01-05';
const RENEWAL = 'R-1#renewal#2026-05-25';

let harness: DeliveryHarness;
let requests: { method: string; path: string; accept: string }[];
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
  requests = [];
});
afterEach(async () => {
  await harness.close();
});

const payloadOf = (s: OneTimeSchedule) => s.payload as unknown as StepPayload;
const scheduleOf = (caseId: string, step: number) =>
  [...harness.scheduler.schedules.values()].find(
    (s) => payloadOf(s).caseId === caseId && payloadOf(s).step === step,
  )!;

function handler() {
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

/** The function URL: turns the CLI's request into the event a Lambda function URL delivers, runs the handler. */
const functionUrl: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  const headers = Object.fromEntries(new Headers(init?.headers).entries());
  const method = init?.method ?? 'GET';
  requests.push({ method, path: url.pathname, accept: headers.accept ?? '' });
  const result = await handler()({
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    requestContext: { http: { method, path: url.pathname } },
  } as unknown as APIGatewayProxyEventV2);
  return new Response(result.body as string, {
    status: result.statusCode ?? 200,
    headers: result.headers as Record<string, string>,
  });
};

function commands() {
  const cloudFormation = new CloudFormationClient({ region: 'eu-central-1' });
  // The general answer first: aws-sdk-client-mock lets a later, narrower one take precedence.
  mockClient(cloudFormation)
    .on(DescribeStacksCommand)
    .rejects(new Error('Stack with id Elsewhere does not exist'))
    .on(DescribeStacksCommand, { StackName: 'ClmAutopilot' })
    .resolves({
      Stacks: [
        {
          StackName: 'ClmAutopilot',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'OwnerActionUrl', OutputValue: ACTION_URL },
            { OutputKey: 'SigningSecretArn', OutputValue: SECRET_ARN },
          ],
        },
      ],
    });
  const secrets = new SecretsManagerClient({ region: 'eu-central-1' });
  mockClient(secrets).on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: SECRET });
  const { task, customer } = createOwnerActionCommands(() => ({
    cloudFormation,
    secrets,
    fetch: functionUrl,
    now: () => harness.clock,
  }));
  return [task, customer];
}

async function clm(...argv: string[]) {
  const io = { stdout: '', stderr: '' };
  const capture: CliIo = {
    out: (text) => {
      io.stdout += `${text}\n`;
    },
    err: (text) => {
      io.stderr += `${text}\n`;
    },
  };
  const code = await main(argv, capture, commands());
  return { code, ...io };
}

function digestDeps() {
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

/** Low usage: an activation call task due 2026-03-09 in the owner's digest, its escalation a week later. */
async function activationTaskId(): Promise<string> {
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
  await runStep(harness.stepDeps(), payloadOf(scheduleOf(ACTIVATION, 1)));
  harness.clock = new Date('2026-03-09T07:00:00Z');
  await sendDigests(digestDeps(), '2026-03-09');
  const [digest] = await harness.ses.emails();
  await harness.ses.clear();
  harness.clock = new Date('2026-03-10T09:00:00Z');
  const html = /Task ID: <code>(T[A-Za-z0-9_-]+)<\/code>/.exec(digest?.body.html ?? '')?.[1];
  const text = /Task ID: (T[A-Za-z0-9_-]+)/.exec(digest?.body.text ?? '')?.[1];
  expect(text).toBe(html);
  return html!;
}

const actionEvents = () =>
  harness.events.events.filter((e) =>
    ['task-done', 'task-snoozed', 'customer-paused', 'customer-resumed'].includes(e.kind),
  );

describe('clm task and clm customer', () => {
  it('task done closes the task and cancels the escalation, through the stack endpoint; a second time there is nothing to do', async () => {
    // Prepare
    const id = await activationTaskId();
    const escalationStep = payloadOf(scheduleOf(ACTIVATION, 2));

    // Act
    const first = await clm('task', 'done', id);
    const second = await clm('task', 'done', id);
    harness.clock = new Date('2026-03-16T06:00:00Z');
    const escalation = await runStep(harness.stepDeps(), escalationStep);

    // Assess
    expect(first).toEqual({
      code: 0,
      stdout: 'done: task for customer D-1 due 2026-03-09 closed\n',
      stderr: '',
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toBe('already done: task for customer D-1 due 2026-03-09 was closed before\n');
    expect(requests[0]).toMatchObject({ method: 'POST', accept: 'application/json' });
    expect(requests[0]!.path).toMatch(/^\/a\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await harness.tasks.dueBetween(OWNER, '2026-03-09', '2026-03-09')).toEqual([]);
    const c = (await harness.store.getCase('D-1', ACTIVATION))!;
    expect(c.steps[2]!.status).toBe('cancelled');
    expect(harness.scheduler.cancelled).toContain(stepScheduleName(c, c.steps[2]!));
    expect(escalation).toBe('step-not-scheduled');
    expect(actionEvents()).toEqual([
      { kind: 'task-done', customerId: 'D-1', caseId: ACTIVATION, by: OWNER, at: '2026-03-10T09:00:00.000Z' },
    ]);
  });

  it('task snooze moves the task and its escalation by 7 days', async () => {
    // Prepare
    const id = await activationTaskId();

    // Act
    const result = await clm('task', 'snooze', id);
    const sameDay = await clm('task', 'snooze', id);

    // Assess
    expect(result).toEqual({
      code: 0,
      stdout: 'snoozed until 2026-03-17: task for customer D-1 due 2026-03-09\n',
      stderr: '',
    });
    expect(await harness.tasks.dueBetween(OWNER, '2026-03-17', '2026-03-17')).toEqual([
      expect.objectContaining({ customerId: 'D-1', caseId: ACTIVATION, dueOn: '2026-03-17' }),
    ]);
    expect((await harness.store.getCase('D-1', ACTIVATION))!.steps[2]).toMatchObject({
      status: 'scheduled',
      dueOn: '2026-03-23',
    });
    expect(sameDay).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'already used: the same action on task for customer D-1 due 2026-03-09 was taken earlier today; nothing changed\n',
    });
    expect(actionEvents()).toEqual([expect.objectContaining({ kind: 'task-snoozed', by: OWNER })]);
  });

  it('customer pause holds the emails of a schedule made before it, for --days N; resume lifts it', async () => {
    // Prepare: a renewal case whose follow-up email is already scheduled
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
    const followUp = (await harness.store.getCase('R-1', RENEWAL))!.steps.find(
      (s) => s.template === 'renewal-followup',
    )!;
    harness.clock = new Date('2026-03-03T09:00:00Z');

    // Act
    const paused = await clm('customer', 'pause', 'R-1', '--by', OWNER, '--days', '90');
    harness.clock = new Date(`${followUp.dueOn}T12:00:00Z`);
    const held = await runStep(harness.stepDeps(), payloadOf(scheduleOf(RENEWAL, followUp.index)));
    const resumed = await clm('customer', 'resume', 'R-1', '--by', OWNER);
    const again = await clm('customer', 'resume', 'R-1', '--by', OWNER);

    // Assess
    expect(paused).toEqual({
      code: 0,
      stdout: `paused until ${addDays('2026-03-03', 89)}: customer R-1\n`,
      stderr: '',
    });
    expect(held).toBe('paused');
    expect(await harness.ses.emails()).toEqual([]);
    expect(resumed).toEqual({ code: 0, stdout: 'resumed: customer R-1\n', stderr: '' });
    expect(await harness.actions.pauseOf('R-1', followUp.dueOn)).toBeNull();
    expect(again).toEqual({ code: 1, stdout: '', stderr: 'gone: customer R-1 is not paused\n' });
    expect(actionEvents()).toEqual([
      expect.objectContaining({ kind: 'customer-paused', customerId: 'R-1', by: OWNER }),
      expect.objectContaining({ kind: 'customer-resumed', customerId: 'R-1', by: OWNER }),
    ]);
    expect(actionEvents()[0]).not.toHaveProperty('caseId');
  });

  it('a bad task ID, an unknown customer, a missing --by or a wrong stack get one clear line and change nothing', async () => {
    // Act
    const badId = await clm('task', 'done', 'T-not-a-task');
    const unknown = await clm('customer', 'pause', 'NOBODY', '--by', OWNER);
    const noBy = await clm('customer', 'pause', 'R-1');
    const badDays = await clm('customer', 'pause', 'R-1', '--by', OWNER, '--days', '0');
    const noStack = await clm('customer', 'resume', 'R-1', '--by', OWNER, '--stack', 'Elsewhere');

    // Assess
    expect(badId).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'clm task: \'T-not-a-task\' is not a task ID: copy the whole "Task ID" shown under the task in the digest\n',
    });
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: 'gone: customer NOBODY is not known to the stack\n',
    });
    expect(noBy.code).toBe(2);
    expect(noBy.stderr.split('\n')[0]).toBe(
      'clm customer: --by EMAIL is required: the address of the person acting',
    );
    expect(badDays.code).toBe(2);
    expect(badDays.stderr.split('\n')[0]).toBe(
      'clm customer: --days must be a whole number of days from 1 to 366',
    );
    expect(noStack).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Nothing changed: Stack with id Elsewhere does not exist\n',
    });
    expect(actionEvents()).toEqual([]);
    expect(await harness.actions.pauseOf('NOBODY', '2026-03-02')).toBeNull();
  });

  it('clm --help lists the new commands', async () => {
    // Act
    const help = await clm('--help');
    const task = await clm('task', '--help');

    // Assess
    expect(help.stdout).toMatch(/\n {2}task {6}mark a digest task done, or snooze it 7 days/);
    expect(help.stdout).toMatch(/\n {2}customer {2}pause or resume every email and task for a customer/);
    expect(task.stdout).toContain('Usage: clm task done ID');
  });
});
