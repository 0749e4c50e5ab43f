import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoPortfolioStore } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { isBusinessDay } from '../../../lambdas/domain/dates';
import { scheduledEvent } from '../../../local/awsEvents';
import { type LocalDynamo, s3Client, startDynamo } from '../../../local/emulators';
import { LOCAL_SETTINGS, localFunctions } from '../../../local/localFunctions';
import { virtualSecrets } from '../../../local/virtualAws';
import { customerState } from '../../helpers/customerFactory';
import { RecordingEventLog } from '../../helpers/deliveryHarness';

// The split night end to end on the real handlers: the nightly function sizes the portfolio and queues its
// shards (SQS has no local emulator: its client is mocked and the test plays the queue), and the shard workers
// evaluate their scan segments of a real DynamoDB (dynalite) concurrently, scheduling through a mocked
// EventBridge Scheduler.

const SHARED_ADMIN = 'it-desk@partner-services.example';
const CUSTOMERS = 30;
const SHARING = 6;

let dynamo: LocalDynamo;
let store: DynamoPortfolioStore;
const queued: string[] = [];
const schedules: { name: string; at: string; payload: { customerId: string; caseId: string } }[] = [];
const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
type Handler<E, R> = (event: E) => Promise<R>;
let nightly: Handler<ScheduledEvent, { mode: string; shards?: number; customers: number }>;
let worker: Handler<SQSEvent, unknown>;

const sqsEvent = (body: string) => ({ Records: [{ body }] }) as unknown as SQSEvent;

beforeAll(async () => {
  dynamo = await startDynamo();
  vi.useFakeTimers({ toFake: ['Date'] });
  // 02:00 in Berlin on the Monday every term below starts: each customer opens its welcome case tonight.
  vi.setSystemTime(new Date('2026-03-02T01:00:00Z'));
  // SQS takes all but one entry the first time, as it may under load: that one must be sent again.
  let firstBatch = true;
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
    const refused = firstBatch ? input.Entries.slice(-1) : [];
    firstBatch = false;
    const taken = input.Entries.filter((entry) => !refused.includes(entry));
    queued.push(...taken.map((entry) => entry.MessageBody));
    return {
      Successful: taken.map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: '' })),
      Failed: refused.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'ServiceUnavailable' })),
    };
  });
  scheduler.on(CreateScheduleCommand).callsFake((input) => {
    schedules.push({
      name: input.Name,
      at: input.ScheduleExpression,
      payload: JSON.parse(input.Target.Input),
    });
    return { ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule/clm-steps/${input.Name}` };
  });

  const ingest = new DynamoIngestStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    activityTable: dynamo.tables.Activity!,
    retentionDays: 400,
  });
  // Six customers are looked after by one IT service partner: one admin address for all six.
  const states = Array.from({ length: CUSTOMERS }, (_, i) =>
    customerState({
      customerId: `C-${i}`,
      adminEmail: i < SHARING ? SHARED_ADMIN : `admin${i}@customer${i}.example`,
      date: '2026-03-02',
      termStart: '2026-03-02',
    }),
  );
  const writes = await ingest.saveCustomers(states.map((state) => ({ state, point: usagePointOf(state) })));
  await ingest.advancePortfolioDate('2026-03-02', writes.filter((w) => w === 'created').length);
  store = new DynamoPortfolioStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    retentionDays: 400,
  });
  // The functions as Lambda builds them; eight customers to a shard so thirty make four shards.
  const fns = await localFunctions({
    dynamo,
    settings: {
      ...LOCAL_SETTINGS,
      customersPerShard: 8,
      // Stated, so the evaluation asks SES nothing (this test has no SES).
      sendingQuota: { dailyMessages: 50_000, messagesPerSecond: 14 },
    },
    clients: {
      dynamodb: dynamo.documents,
      scheduler: new SchedulerClient({ region: 'eu-central-1' }),
      sqs: new SQSClient({ region: 'eu-central-1' }),
      ses: new SESv2Client({ region: 'eu-central-1' }),
      s3: s3Client('http://127.0.0.1:9'),
      secrets: virtualSecrets('unused'),
    },
    events: new RecordingEventLog(),
    now: () => new Date(),
  });
  nightly = fns.evaluate;
  worker = fns.evaluateShard;
});

afterAll(async () => {
  vi.useRealTimers();
  sqs.restore();
  scheduler.restore();
  await dynamo.close();
});

describe('a night split into shards', () => {
  it('queues one shard per segment, and the workers open every case with one email a day per admin', async () => {
    // Act: the nightly run, then every queued shard at once, as the queue's workers take them
    const outcome = await nightly(scheduledEvent(new Date(), 'clm-nightly'));
    await Promise.all(queued.map((body) => worker(sqsEvent(body))));

    // Assess: four segments of at most eight customers, each queued once
    expect(outcome).toEqual({ mode: 'split', customers: CUSTOMERS, shards: 4 });
    expect(queued.map((body) => JSON.parse(body)).sort((a, b) => a.index - b.index)).toEqual(
      [0, 1, 2, 3].map((index) => ({ today: '2026-03-02', index, count: 4 })),
    );
    // the shared admin's customers really are in different shards
    const shardOf = new Map<string, number>();
    for (const index of [0, 1, 2, 3]) {
      const shard = await store.load({ shard: { index, count: 4 } });
      for (const c of shard.customers) shardOf.set(c.state.customerId, index);
    }
    const sharedShards = new Set([...Array(SHARING).keys()].map((i) => shardOf.get(`C-${i}`)));
    expect(sharedShards.size).toBeGreaterThan(1);
    // every customer got its welcome case and one welcome schedule
    const whole = await store.load();
    expect(whole.cases.map((c) => c.customerId).sort()).toEqual([...shardOf.keys()].sort());
    expect(new Set(schedules.map((s) => s.payload.customerId)).size).toBe(CUSTOMERS);
    expect(schedules).toHaveLength(CUSTOMERS);
    // the shared admin gets the six welcomes on six different business days; everyone else today
    const dayOf = (s: (typeof schedules)[number]) => s.at.slice(3, 13);
    const sharedDays = schedules.filter((s) => Number(s.payload.customerId.slice(2)) < SHARING).map(dayOf);
    expect(new Set(sharedDays).size).toBe(SHARING);
    expect(sharedDays.every(isBusinessDay)).toBe(true);
    expect(sharedDays).toContain('2026-03-02');
    const others = schedules.filter((s) => Number(s.payload.customerId.slice(2)) >= SHARING).map(dayOf);
    expect(new Set(others)).toEqual(new Set(['2026-03-02']));
    // the cases saved agree with the schedules
    const sharedCaseDays = whole.cases
      .filter((c) => c.recipient === SHARED_ADMIN)
      .map((c) => c.steps[0]!.dueOn)
      .sort();
    expect(sharedCaseDays).toEqual([...sharedDays].sort());
  });

  it("changes nothing when SQS delivers a shard again, and reads no admin's email days when it plans no email", async () => {
    // Prepare: note which admins' email days are read
    const before = await store.load();
    const scheduled = schedules.length;
    const daysRead: string[] = [];
    dynamo.documents.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchGetItemCommand') {
          const { RequestItems } = args.input as { RequestItems: Record<string, { Keys: { pk: string }[] }> };
          for (const { Keys } of Object.values(RequestItems))
            daysRead.push(...Keys.map((k) => k.pk).filter((pk) => pk.startsWith('EMAILDAYS#')));
        }
        return next(args);
      },
      { step: 'initialize', name: 'emailDaysRead' },
    );

    // Act
    try {
      await Promise.all(queued.map((body) => worker(sqsEvent(body))));
    } finally {
      dynamo.documents.middlewareStack.remove('emailDaysRead');
    }

    // Assess: the cases are there, nothing opens, so no admin's days are needed
    const after = await store.load();
    expect(schedules).toHaveLength(scheduled);
    expect(after.cases).toEqual(before.cases);
    expect(daysRead).toEqual([]);
  });

  it('refuses a message that is not a shard, so it goes back to the queue and on to the dead-letter queue', async () => {
    await expect(
      worker(sqsEvent(JSON.stringify({ today: '2026-03-02', index: 4, count: 4 }))),
    ).rejects.toThrow(/not an evaluation shard/);
  });
});
