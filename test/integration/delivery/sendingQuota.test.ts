import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoPlannedEmails } from '../../../lambdas/adapters/dynamodb/dynamoPlannedEmails';
import { DynamoPortfolioStore } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { addDays, isBusinessDay } from '../../../lambdas/domain/dates';
import { scheduledEvent } from '../../../local/awsEvents';
import {
  type LocalDynamo,
  type LocalSes,
  localSesAccount,
  s3Client,
  startDynamo,
  startSes,
} from '../../../local/emulators';
import { LOCAL_SETTINGS, localFunctions } from '../../../local/localFunctions';
import { virtualSecrets } from '../../../local/virtualAws';
import { customerState } from '../../helpers/customerFactory';
import { RecordingEventLog } from '../../helpers/deliveryHarness';

// A first night larger than the account's SES quota, on the real handlers: the evaluation reads the quota with
// GetAccount (from the SES emulator), and four shard workers plan 40 first emails at once into a quota that leaves
// 18 customer emails a day. No day may carry more, and within each shard the renewals go before the welcomes.

const TODAY = '2026-03-02'; // a Monday
const DAILY_QUOTA = 20;
const PER_DAY = 18; // the quota less a tenth for digests

let dynamo: LocalDynamo;
let ses: LocalSes;
let store: DynamoPortfolioStore;
const queued: string[] = [];
const schedules: { day: string; customerId: string; step: number }[] = [];
const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
let nightly: (event: ScheduledEvent) => Promise<unknown>;
let worker: (event: SQSEvent) => Promise<unknown>;
const previousAccount = process.env.AWS_SES_ACCOUNT;

beforeAll(async () => {
  process.env.AWS_SES_ACCOUNT = localSesAccount({ Max24HourSend: DAILY_QUOTA, MaxSendRate: 1 });
  [dynamo, ses] = await Promise.all([startDynamo(), startSes()]);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${TODAY}T01:00:00Z`));
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
    queued.push(...input.Entries.map((entry) => entry.MessageBody));
    return {
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
      Failed: [],
    };
  });
  scheduler.on(CreateScheduleCommand).callsFake((input) => {
    const payload = JSON.parse(input.Target.Input);
    schedules.push({ day: input.ScheduleExpression.slice(3, 13), ...payload });
    return { ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule/clm-steps/${input.Name}` };
  });
  // Twenty customers whose renewal window opens tonight, twenty new customers in their first term week.
  const states = Array.from({ length: 40 }, (_, i) => {
    const renewing = i % 2 === 0;
    const termStart = renewing ? addDays(TODAY, -281) : TODAY;
    return customerState({
      customerId: `${renewing ? 'R' : 'W'}-${i}`,
      adminEmail: `admin${i}@customer${i}.example`,
      date: TODAY,
      termStart,
      termEnd: renewing ? addDays(TODAY, 84) : addDays(TODAY, 365),
    });
  });
  const ingest = new DynamoIngestStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    activityTable: dynamo.tables.Activity!,
    retentionDays: 400,
  });
  const writes = await ingest.saveCustomers(states.map((state) => ({ state, point: usagePointOf(state) })));
  await ingest.advancePortfolioDate(TODAY, writes.filter((w) => w === 'created').length);
  store = new DynamoPortfolioStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    retentionDays: 400,
  });
  const fns = await localFunctions({
    dynamo,
    settings: { ...LOCAL_SETTINGS, customersPerShard: 10 },
    clients: {
      dynamodb: dynamo.documents,
      scheduler: new SchedulerClient({ region: 'eu-central-1' }),
      sqs: new SQSClient({ region: 'eu-central-1' }),
      ses: ses.client,
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
  if (previousAccount === undefined) delete process.env.AWS_SES_ACCOUNT;
  else process.env.AWS_SES_ACCOUNT = previousAccount;
  await Promise.all([dynamo.close(), ses.close()]);
});

describe('a first night larger than the SES daily quota', () => {
  it('plans no day beyond the quota, every email once, renewals first within each shard', async () => {
    // Act: the nightly run, then its four shards at once
    await nightly(scheduledEvent(new Date(), 'clm-nightly'));
    await Promise.all(queued.map((body) => worker({ Records: [{ body }] } as unknown as SQSEvent)));

    // Assess: 40 first emails, one schedule each, at most 18 on any business day
    const firstEmails = schedules.filter((s) => s.step === 0);
    expect(queued).toHaveLength(4);
    expect(new Set(firstEmails.map((s) => s.customerId)).size).toBe(40);
    expect(firstEmails).toHaveLength(40);
    const perDay = new Map<string, number>();
    for (const s of firstEmails) perDay.set(s.day, (perDay.get(s.day) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(PER_DAY);
    expect([...perDay.keys()].every(isBusinessDay)).toBe(true);
    expect(perDay.size).toBeGreaterThanOrEqual(3);
    // the portfolio's planned counts agree with every email step of the cases saved (follow-ups included)
    const emailDays = new Map<string, number>();
    for (const c of (await store.load()).cases)
      for (const step of c.steps)
        if (step.kind === 'email' && step.status === 'scheduled')
          emailDays.set(step.dueOn, (emailDays.get(step.dueOn) ?? 0) + 1);
    expect(Math.max(...emailDays.values())).toBeLessThanOrEqual(PER_DAY);
    const counted = await new DynamoPlannedEmails(dynamo.documents, dynamo.tables.Portfolio!).countsFrom(
      TODAY,
      120,
    );
    const countedDays = new Map<string, number>();
    for (const [quarter, n] of counted)
      countedDays.set(quarter.slice(0, 10), (countedDays.get(quarter.slice(0, 10)) ?? 0) + n);
    expect(countedDays).toEqual(emailDays);
    // within each shard no welcome goes before a renewal
    for (const index of [0, 1, 2, 3]) {
      const shard = new Set(
        (await store.load({ shard: { index, count: 4 } })).customers.map((c) => c.state.customerId),
      );
      const days = (prefix: string) =>
        firstEmails
          .filter((s) => shard.has(s.customerId) && s.customerId.startsWith(prefix))
          .map((s) => s.day);
      const renewals = days('R-');
      const welcomes = days('W-');
      if (renewals.length > 0 && welcomes.length > 0)
        expect(renewals.sort().at(-1)! <= welcomes.sort()[0]!).toBe(true);
    }
    // a moved email says where it came from, for the digests
    const cases = (await store.load()).cases;
    const moved = cases.filter((c) => c.steps[0]!.heldFrom === TODAY);
    expect(moved.length).toBe(40 - (perDay.get(TODAY) ?? 0));
  });

  it('gives the room back when a case resolves before its emails go', async () => {
    // Prepare: the planned counts after the first night
    const planned = new DynamoPlannedEmails(dynamo.documents, dynamo.tables.Portfolio!);
    const before = await planned.countsFrom(TODAY, 120);
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

    // Act: the adapter's own operations, as the evaluation uses them
    await planned.add('2026-04-01T08:30Z', 5);
    await planned.remove('2026-04-01T08:30Z', 2);
    await planned.remove('2026-04-02T08:30Z', 1);
    const after = await planned.countsFrom(TODAY, 120);

    // Assess: a quarter without a count is not taken below zero
    expect(after.get('2026-04-01T08:30Z')).toBe(3);
    expect(after.has('2026-04-02T08:30Z')).toBe(false);
    expect(total(after)).toBe(total(before) + 3);
  });
});
