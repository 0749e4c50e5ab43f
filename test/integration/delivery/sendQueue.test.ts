import { afterEach, describe, expect, it } from 'vitest';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { evaluatePortfolio, type StepPayload } from '../../../lambdas/delivery/evaluatePortfolio';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';
import type { SendingQuota } from '../../../lambdas/ports/sendingQuota';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness } from '../../helpers/deliveryHarness';

// The send path as deployed, on the emulators: the step schedules fire into the send queue, two instances of the
// step function drain it in batches of ten, and the local SES refuses what its quota does not allow, answering as
// SES does. Time is virtual: the senders' pacing moves the clock.

const TODAY = '2026-03-02'; // a Monday
const NINE_THIRTY = localTimeToUtc(TODAY, '09:30', 'Europe/Berlin');

let harness: DeliveryHarness;
afterEach(async () => {
  await harness.close();
});

/** `count` new customers in Berlin, evaluated tonight: a welcome email each, all due at today's 09:30. */
async function firstNight(count: number): Promise<StepPayload[]> {
  const states = Array.from({ length: count }, (_, i) =>
    customerState({
      customerId: `C-${i}`,
      adminEmail: `admin${i}@customer${i}.example`,
      date: TODAY,
      termStart: TODAY,
    }),
  );
  const ingest = new DynamoIngestStore({
    client: harness.dynamo.documents,
    portfolioTable: harness.dynamo.tables.Portfolio!,
    activityTable: harness.dynamo.tables.Activity!,
    retentionDays: 400,
  });
  // The emulator's mail store outlives an emulator in the same process.
  await harness.ses.clear();
  const writes = await ingest.saveCustomers(states.map((state) => ({ state, point: usagePointOf(state) })));
  await ingest.advancePortfolioDate(TODAY, writes.filter((w) => w === 'created').length);
  harness.clock = new Date(`${TODAY}T01:00:00Z`);
  // Planned against a large quota: here the account's SES quota is what the senders meet.
  const roomy: SendingQuota = { dailyMessages: 1_000_000, messagesPerSecond: 100 };
  await evaluatePortfolio({ ...harness.evaluateDeps(), quota: { quota: async () => roomy } }, TODAY);
  const welcomes = [...harness.scheduler.schedules.values()].filter(
    (s) => s.date === TODAY && s.time === '09:30',
  );
  // EventBridge Scheduler puts each payload on the send queue at its time.
  for (const schedule of welcomes)
    harness.sendQueue.deliver(
      JSON.stringify(schedule.payload),
      localTimeToUtc(schedule.date, schedule.time, schedule.timeZone),
    );
  return welcomes.map((s) => s.payload as unknown as StepPayload);
}

/** The virtual time at which each send SES accepted was asked for. */
function sendTimes(): number[] {
  const times: number[] = [];
  harness.ses.senderClient.middlewareStack.add(
    (next, context) => async (args) => {
      const at = harness.clock.getTime();
      const result = await next(args);
      if (context.commandName === 'SendEmailCommand') times.push(at);
      return result;
    },
    { step: 'initialize', name: 'virtualSendTimes' },
  );
  return times;
}

/** The most sends within any one second. */
function mostInOneSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const emailsTo = async () => {
  const counts = new Map<string, number>();
  for (const email of await harness.ses.emails()) {
    const to = email.destination.to[0] ?? '';
    counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
};

describe('the send queue', () => {
  it('drains a 09:30 burst of 500 welcomes at the account rate with two senders: each sent once, none lost', async () => {
    // Prepare: SES allows 14 a second, as a young production account
    harness = await DeliveryHarness.start({ dailyMessages: 50_000, messagesPerSecond: 14 });
    const payloads = await firstNight(500);
    const times = sendTimes();
    const senders = [harness.newSender(), harness.newSender()];

    // Act: the schedules fire at 09:30 and the senders take the queue
    harness.clock = NINE_THIRTY;
    await harness.drainSendQueue(senders);

    // Assess: every admin got their welcome once, nothing waits and nothing failed
    expect(payloads).toHaveLength(500);
    const counts = await emailsTo();
    expect(counts.size).toBe(500);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(harness.sendQueue.size).toBe(0);
    expect(harness.sendQueue.deadLetters).toEqual([]);
    // the pace held: SES refused nothing and never saw more than 14 in a second
    expect(harness.ses.refused).toEqual({ rate: 0, 'daily-quota': 0 });
    expect(mostInOneSecond(times)).toBeLessThanOrEqual(14);
    // so the burst took about 500 / 14 seconds of virtual time
    const drained = (Math.max(...times) - NINE_THIRTY.getTime()) / 1000;
    expect(drained).toBeGreaterThan(500 / 14 - 1);
    expect(drained).toBeLessThan(500 / 14 + 3);
    // and every case step is done
    const cases = (await harness.store.load()).cases;
    expect(cases.filter((c) => c.steps.some((s) => s.kind === 'email' && s.status === 'done'))).toHaveLength(
      500,
    );
  }, 120_000);

  it('gives every email of a burst the same virtual time in every run, so a seed replays the same events', async () => {
    // Prepare: 30 welcomes at one 09:30, three batches for two senders
    const run = async () => {
      harness = await DeliveryHarness.start({ dailyMessages: 50_000, messagesPerSecond: 14 });
      await firstNight(30);
      const senders = [harness.newSender(), harness.newSender()];
      harness.clock = NINE_THIRTY;
      await harness.drainSendQueue(senders);
      return harness.events.events
        .flatMap((e) => (e.kind === 'email' ? [`${e.at} ${e.customerId}`] : []))
        .sort();
    };

    // Act: twice, on fresh emulators
    const first = await run();
    await harness.close();
    const second = await run();

    // Assess: the same emails at the same times, spread over the seconds the rate needs
    expect(first).toHaveLength(30);
    expect(second).toEqual(first);
    expect(first.at(-1)!.slice(0, 24) > first[0]!.slice(0, 24)).toBe(true);
  }, 120_000);

  it('puts the emails the daily quota refuses back on the queue for 15 minutes, and sends them once it has room', async () => {
    // Prepare: another sender on the account has left room for three emails in these 24 hours
    harness = await DeliveryHarness.start({ dailyMessages: 3, messagesPerSecond: 14 });
    await firstNight(5);
    const times = sendTimes();
    const senders = [harness.newSender(), harness.newSender()];

    // Act: 09:30 today, then until the queue is empty
    harness.clock = NINE_THIRTY;
    await harness.drainSendQueue(senders, new Date(NINE_THIRTY.getTime() + 60_000));
    const sentToday = (await harness.ses.emails()).length;
    const waiting = harness.sendQueue.putBack.map((p) => p.delaySeconds);
    await harness.drainSendQueue(senders);

    // Assess: three went out at 09:30 and two waited on the queue, 900 s at a time, not as failures
    expect(sentToday).toBe(3);
    expect(waiting).toEqual([900, 900]);
    expect(harness.ses.refused['daily-quota']).toBeGreaterThanOrEqual(2);
    expect(harness.sendQueue.deadLetters).toEqual([]);
    // once the first sends were 24 hours old, the other two went out, each once
    const counts = await emailsTo();
    expect(counts.size).toBe(5);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const late = times.filter((t) => t > NINE_THIRTY.getTime() + 60_000);
    expect(late).toHaveLength(2);
    for (const t of late) {
      expect(t).toBeGreaterThanOrEqual(NINE_THIRTY.getTime() + 24 * 3600_000);
      expect(t).toBeLessThanOrEqual(NINE_THIRTY.getTime() + 24 * 3600_000 + 16 * 60_000);
    }
    expect(harness.sendQueue.putBack.every((p) => p.delaySeconds === 900)).toBe(true);
  }, 120_000);
});
