import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { customerEmailsPerDay, evaluatePortfolio } from '../../../lambdas/delivery/evaluatePortfolio';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { addDays, type IsoDate, isBusinessDay, todayIn } from '../../../lambdas/domain/dates';
import { localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness } from '../../helpers/deliveryHarness';

// A first night far larger than the account's SES quota, replayed end to end on the emulators: 2,000 customers in
// six time zones open their first case at once (a third of them a renewal, the rest a welcome), the evaluation
// reads the quota with GetAccount (400 a day at 2 a second, enforced by the local SES on the virtual clock) and
// plans the emails over the business days ahead; the schedules fire into the send queue at 09:30 in each admin's
// zone and two senders drain it. Every email must go out once, on its planned day, in play priority order, soon
// after 09:30 local, with nothing in the dead-letter queue.

const TODAY = '2026-03-02'; // a Monday
const CUSTOMERS = 2_000;
const QUOTA = { dailyMessages: 400, messagesPerSecond: 2 };
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Los_Angeles',
];

interface Sent {
  at: number;
  to: string;
  play: string;
}

let harness: DeliveryHarness;
const sent: Sent[] = [];
let cases: Case[];
const zoneOf = new Map<string, string>();

beforeAll(async () => {
  harness = await DeliveryHarness.start(QUOTA);
  await harness.ses.clear();
  const states = Array.from({ length: CUSTOMERS }, (_, i) => {
    const renewing = i % 3 === 0;
    const timezone = ZONES[i % ZONES.length]!;
    const adminEmail = `admin${i}@customer${i}.example`;
    zoneOf.set(adminEmail, timezone);
    return customerState({
      customerId: `C-${String(i).padStart(4, '0')}`,
      adminEmail,
      timezone,
      date: TODAY,
      termStart: renewing ? addDays(TODAY, -281) : TODAY,
      termEnd: renewing ? addDays(TODAY, 84) : addDays(TODAY, 365),
    });
  });
  const ingest = new DynamoIngestStore({
    client: harness.dynamo.documents,
    portfolioTable: harness.dynamo.tables.Portfolio!,
    activityTable: harness.dynamo.tables.Activity!,
    retentionDays: 400,
  });
  const writes = await ingest.saveCustomers(states.map((state) => ({ state, point: usagePointOf(state) })));
  await ingest.advancePortfolioDate(TODAY, writes.filter((w) => w === 'created').length);

  // The night: 02:00 in Berlin. The quota comes from SES GetAccount.
  harness.clock = new Date(`${TODAY}T01:00:00Z`);
  await evaluatePortfolio(harness.evaluateDeps(), TODAY);
  cases = (await harness.store.load()).cases;

  // What SES accepts, and when on the virtual clock.
  harness.ses.senderClient.middlewareStack.add(
    (next, context) => async (args) => {
      const at = harness.clock.getTime();
      const result = await next(args);
      if (context.commandName === 'SendEmailCommand') {
        const input = args.input as {
          Destination: { ToAddresses: string[] };
          EmailTags: { Name: string; Value: string }[];
        };
        sent.push({
          at,
          to: input.Destination.ToAddresses[0]!,
          play: input.EmailTags.find((t) => t.Name === 'play')?.Value ?? '',
        });
      }
      return result;
    },
    { step: 'initialize', name: 'firstNightSends' },
  );
  // Every schedule of the first emails' days fires into the send queue at its time; two senders drain it.
  const firstDays = cases.map((c) => c.steps[0]!.dueOn);
  const lastDay = firstDays.reduce((a, b) => (a > b ? a : b));
  for (const schedule of harness.scheduler.schedules.values())
    if (schedule.date <= lastDay)
      harness.sendQueue.deliver(
        JSON.stringify(schedule.payload),
        localTimeToUtc(schedule.date, schedule.time, schedule.timeZone),
      );
  harness.clock = new Date(`${TODAY}T01:30:00Z`);
  await harness.drainSendQueue([harness.newSender(), harness.newSender()]);
}, 600_000);

afterAll(async () => {
  await harness.close();
});

describe('a first night of 2,000 customers under a quota of 400 emails a day', () => {
  it('sends every first email exactly once, with nothing left on the queue or in its dead-letter queue', () => {
    const perRecipient = new Map<string, number>();
    for (const s of sent) perRecipient.set(s.to, (perRecipient.get(s.to) ?? 0) + 1);
    expect(perRecipient.size).toBe(CUSTOMERS);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    expect(sent).toHaveLength(CUSTOMERS);
    expect(harness.sendQueue.size).toBe(0);
    expect(harness.sendQueue.deadLetters).toEqual([]);
  });

  it('spreads them over business days, never more in a day than the quota leaves for customers', () => {
    const perDay = new Map<IsoDate, number>();
    for (const c of cases) {
      const day = c.steps[0]!.dueOn;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect([...perDay.keys()].every(isBusinessDay)).toBe(true);
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(customerEmailsPerDay(QUOTA));
    // 2,000 emails at 360 a day: at least six business days
    expect(perDay.size).toBeGreaterThanOrEqual(Math.ceil(CUSTOMERS / customerEmailsPerDay(QUOTA)));
  });

  it('sends each email on its planned day, within two hours of 09:30 in the admin’s zone', () => {
    const plannedFor = new Map(cases.map((c) => [c.recipient, c.steps[0]!.dueOn]));
    const late: string[] = [];
    for (const s of sent) {
      const zone = zoneOf.get(s.to)!;
      const day = todayIn(zone, new Date(s.at));
      const nineThirty = localTimeToUtc(day, '09:30', zone).getTime();
      if (day !== plannedFor.get(s.to) || s.at < nineThirty || s.at > nineThirty + 2 * 3600_000)
        late.push(`${s.to} ${new Date(s.at).toISOString()} ${zone} planned ${plannedFor.get(s.to)}`);
    }
    expect(late.slice(0, 10)).toEqual([]);
  });

  it('plans in priority order: no welcome takes a day a waiting renewal wanted', () => {
    const renewals = cases.filter((c) => c.playId === 'renewal').map((c) => c.steps[0]!);
    const welcomes = cases.filter((c) => c.playId === 'welcome').map((c) => c.steps[0]!);
    expect(renewals.length + welcomes.length).toBe(CUSTOMERS);
    // in each zone (one instant a day, so one count of SES's 24 hours), no welcome took a day a renewal waited
    // past: the renewals were placed first
    const zoneOfCase = new Map(cases.map((c) => [c.steps[0]!, zoneOf.get(c.recipient)]));
    const waiting = renewals.filter((r) => r.heldFrom !== undefined);
    expect(waiting.length).toBeGreaterThan(0);
    for (const r of waiting)
      for (const w of welcomes)
        if (zoneOfCase.get(w) === zoneOfCase.get(r) && w.dueOn >= r.heldFrom! && w.dueOn < r.dueOn)
          expect.fail(`a welcome on ${w.dueOn} while a renewal waited until ${r.dueOn}`);
    // the renewals went first: the last renewal day is before most welcomes
    const lastRenewal = renewals
      .map((r) => r.dueOn)
      .sort()
      .at(-1)!;
    const welcomesAfter = welcomes.filter((w) => w.dueOn > lastRenewal).length;
    expect(welcomesAfter).toBeGreaterThan(welcomes.length / 2);
    // and SES saw it that way: every renewal email before the last welcome's day
    const lastWelcomeAt = Math.max(...sent.filter((s) => s.play === 'welcome').map((s) => s.at));
    expect(sent.filter((s) => s.play === 'renewal').every((s) => s.at < lastWelcomeAt)).toBe(true);
  });

  it('keeps the case’s later steps after its moved email', () => {
    for (const c of cases.filter((x) => x.playId === 'renewal' && x.steps[0]!.heldFrom !== undefined)) {
      const [email, call] = c.steps;
      expect(call!.dueOn >= email!.dueOn).toBe(true);
    }
    expect(cases.filter((c) => c.steps[0]!.heldFrom !== undefined).length).toBeGreaterThan(CUSTOMERS / 2);
  });
});
