import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../../lambdas/domain/address';
import { addDays, daysBetween } from '../../../lambdas/domain/dates';
import {
  generateSamplePortfolio,
  lineTermOn,
  type SampleCustomer,
  termOn,
} from '../../../local/samplePortfolio';
import { start } from '../../../local/start';

// The main job end to end: `npm start`'s entry point replays a generated year, and the events it writes are
// checked against the product's timing rules, using what the generator knows about each customer.

type Event = Record<string, string | number | null> & { at: string; kind: string };

const OUT = join(tmpdir(), `clm-year-${process.pid}`);
const START = '2026-01-05';
let events: Event[];
let customers: Map<string, SampleCustomer>;

beforeAll(async () => {
  await start(OUT);
  events = (await readFile(join(OUT, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Event);
  customers = new Map(
    generateSamplePortfolio({ customers: 150, seed: 42, start: START }).map((c) => [c.customerId, c]),
  );
  // Long on a busy machine: the year is ~90 s alone, several times that beside other work.
}, 1_200_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

function localParts(at: string, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

const emails = () => events.filter((e) => e.kind === 'email');
const customerOf = (e: Event) => customers.get(String(e.customerId))!;
const localDate = (e: Event) => localParts(e.at, customerOf(e).timezone).date;
const termEndOf = (caseId: string) => caseId.split('#')[2]!;
/** Customers an owner paused at some point: their emails wait, so their timing is not checked here. */
const paused = () =>
  new Set(events.filter((e) => e.kind === 'customer-paused').map((e) => String(e.customerId)));

describe('a generated year through the local pipeline', () => {
  it('writes the demo outputs', async () => {
    const summary = JSON.parse(await readFile(join(OUT, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ days: 400, customers: expect.any(Number) });
    expect(summary.customers).toBeGreaterThan(100);
    expect((await readdir(join(OUT, 'mail'))).length).toBeGreaterThan(500);
    expect(await readFile(join(OUT, 'index.html'), 'utf8')).toContain('Local run: 400 nights');
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
  });

  it('sends every email in the customer language at 09:30 in the customer time zone, on a business day', () => {
    for (const e of emails()) {
      const customer = customerOf(e);
      const { date, time } = localParts(e.at, customer.timezone);
      expect({ id: e.customerId, locale: e.locale, time }).toEqual({
        id: e.customerId,
        locale: customer.locale,
        time: '09:30',
      });
      expect([0, 6]).not.toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
    }
  });

  it('welcomes only customers new during the run, in their first term week (give or take a weekend)', () => {
    const welcomes = emails().filter((e) => e.template === 'welcome');
    expect(welcomes.length).toBeGreaterThan(10);
    for (const e of welcomes) {
      const customer = customerOf(e);
      expect(customer.firstTermStart >= START).toBe(true);
      expect(daysBetween(customer.firstTermStart, localDate(e))).toBeGreaterThanOrEqual(0);
      expect(daysBetween(customer.firstTermStart, localDate(e))).toBeLessThanOrEqual(9);
    }
  });

  it('sends active-use in term week 4', () => {
    for (const e of emails().filter((x) => x.template === 'active-use')) {
      const term = termOn(customerOf(e), localDate(e))!;
      const day = daysBetween(term.start, localDate(e));
      expect(day, String(e.caseId)).toBeGreaterThanOrEqual(21);
      expect(day, String(e.caseId)).toBeLessThanOrEqual(21 + 6 + 4);
    }
  });

  it('opens renewal 84 days before term_end and sends the last call 56 days later, on business days', () => {
    const onTime = emails().filter(
      (e) => e.template === 'renewal' && addDays(termEndOf(String(e.caseId)), -84) > START,
    );
    expect(onTime.length).toBeGreaterThan(20);
    for (const e of onTime) {
      const lag = daysBetween(addDays(termEndOf(String(e.caseId)), -84), localDate(e));
      expect(lag, String(e.caseId)).toBeGreaterThanOrEqual(0);
      expect(lag, String(e.caseId)).toBeLessThanOrEqual(4);
    }
    for (const e of emails().filter(
      (x) => x.template === 'renewal-last-call' && addDays(termEndOf(String(x.caseId)), -84) > START,
    )) {
      const lag = daysBetween(addDays(termEndOf(String(e.caseId)), -84 + 56), localDate(e));
      expect(lag, String(e.caseId)).toBeGreaterThanOrEqual(0);
      expect(lag, String(e.caseId)).toBeLessThanOrEqual(4);
    }
  });

  it('sends win-back only to customers that did not renew', () => {
    const winbacks = emails().filter((e) => e.template === 'winback');
    expect(winbacks.length).toBeGreaterThan(0);
    for (const e of winbacks) {
      // The term the case is for has ended and none of its lines has moved on to a later term.
      const customer = customerOf(e);
      const ended = termEndOf(String(e.caseId));
      const mainLapsed = termOn(customer, localDate(e))?.end === ended;
      const addOnLapsed = customer.lines.some(
        (l) => l.lapses && lineTermOn(l, addDays(ended, -1))?.end === ended,
      );
      expect(mainLapsed || addOnLapsed, String(e.caseId)).toBe(true);
    }
  });

  it('sends nothing for a case after it resolved', () => {
    const resolvedAt = new Map(
      events.filter((e) => e.kind === 'case-resolved').map((e) => [String(e.caseId), e.at]),
    );
    expect(resolvedAt.size).toBeGreaterThan(20);
    const late = emails().filter(
      (e) => resolvedAt.has(String(e.caseId)) && e.at > resolvedAt.get(String(e.caseId))!,
    );
    expect(late).toEqual([]);
  });

  it('never sends two customer emails to one recipient on one day, nor the same email twice', () => {
    const perDay = new Map<string, number>();
    const sent = new Set<string>();
    for (const e of emails()) {
      const key = `${normalizeAddress(String(e.to))} ${localDate(e)}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
      const id = `${e.caseId} ${e.template}`;
      expect(sent.has(id), id).toBe(false);
      sent.add(id);
    }
    expect([...perDay.entries()].filter(([, n]) => n > 1)).toEqual([]);
  });

  it('lets the owners act from their digests, and sends nothing to a customer while paused', async () => {
    const acted = events.filter((e) =>
      ['task-done', 'task-snoozed', 'customer-paused', 'customer-resumed'].includes(e.kind),
    );
    for (const kind of ['task-done', 'task-snoozed', 'customer-paused'])
      expect(acted.filter((e) => e.kind === kind).length, kind).toBeGreaterThan(0);
    for (const e of acted)
      expect(e).toMatchObject({ customerId: expect.any(String), by: expect.any(String) });
    for (const pause of acted.filter((e) => e.kind === 'customer-paused')) {
      const until = new Date(Date.parse(pause.at) + 29 * 86_400_000).toISOString();
      const resumed = acted.find(
        (e) => e.kind === 'customer-resumed' && e.customerId === pause.customerId && e.at > pause.at,
      );
      const heldUntil = resumed && resumed.at < until ? resumed.at : until;
      const sent = emails().filter(
        (e) => e.customerId === pause.customerId && e.at > pause.at && e.at < heldUntil,
      );
      expect(sent, String(pause.customerId)).toEqual([]);
    }
    // The digests in out/demo carry the signed action links the owners clicked.
    const mail = (await readdir(join(OUT, 'mail'))).filter((file) => file.endsWith('.html'));
    const withLinks = await Promise.all(
      mail.map(async (file) =>
        (await readFile(join(OUT, 'mail', file), 'utf8')).includes(
          'href="https://actions.reseller.example/a/',
        ),
      ),
    );
    expect(withLinks.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('reaches admins in Tokyo, Sydney and Auckland at 09:30 their time', () => {
    for (const zone of ['Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland'])
      expect(emails().filter((e) => customerOf(e).timezone === zone).length, zone).toBeGreaterThan(5);
  });

  it('welcomes a customer provisioned before its term in the first term week, never before term_start', () => {
    const provisioned = [...customers.values()].filter(
      (c) => c.provisionedDays && c.firstTermStart < addDays(START, 390) && !paused().has(c.customerId),
    );
    expect(provisioned.length).toBeGreaterThan(0);
    for (const customer of provisioned) {
      const welcomes = emails().filter(
        (e) => e.customerId === customer.customerId && e.template === 'welcome',
      );
      expect(welcomes, customer.customerId).toHaveLength(1);
      const lag = daysBetween(customer.firstTermStart, localDate(welcomes[0]!));
      expect(lag, customer.customerId).toBeGreaterThanOrEqual(0);
      expect(lag, customer.customerId).toBeLessThanOrEqual(9);
    }
  });

  it('renews each subscription term on its own, with the variant of its own seats', () => {
    const multiTerm = [...customers.values()].filter((c) => c.lines.some((l) => l.ownTermStart));
    const renewals = emails().filter(
      (e) => e.template === 'renewal' && customerOf(e).lines.some((l) => l.ownTermStart),
    );
    expect(renewals.length).toBeGreaterThan(3);
    for (const e of renewals) {
      const customer = customerOf(e);
      const end = termEndOf(String(e.caseId));
      // The term's lines as the export showed them when its renewal opened.
      const day = addDays(end, -84);
      const addOns = customer.lines.filter((l) => l.ownTermStart && lineTermOn(l, day)?.end === end);
      const main = termOn(customer, day)?.end === end ? customer.lines.filter((l) => !l.ownTermStart) : [];
      const seats = [...addOns, ...main].reduce((n, l) => n + l.seats, 0);
      expect(seats, String(e.caseId)).toBeGreaterThan(0);
      const variant = seats < 10 ? 'small' : seats > 25 ? 'large' : 'standard';
      expect(e.variant, String(e.caseId)).toBe(variant);
    }
    expect(multiTerm.length).toBeGreaterThan(5);
  });

  it('wins back an add-on that lapsed while the customer renews its other subscription', () => {
    const lapsing = [...customers.values()].flatMap((customer) =>
      customer.lines
        .filter((l) => l.lapses && l.ownTermStart)
        .map((line) => ({ customer, end: lineTermOn(line, line.ownTermStart!)!.end }))
        .filter(
          ({ customer, end }) =>
            end > addDays(START, 90) &&
            end < addDays(START, 380) &&
            customer.behaviour !== 'vanisher' &&
            !paused().has(customer.customerId) &&
            termOn(customer, addDays(end, 10)) !== null,
        ),
    );
    expect(lapsing.length).toBeGreaterThan(0);
    for (const { customer, end } of lapsing) {
      const winback = emails().find(
        (e) =>
          e.customerId === customer.customerId &&
          e.template === 'winback' &&
          termEndOf(String(e.caseId)) === end,
      );
      expect(winback, `${customer.customerId} ${end}`).toBeDefined();
      const lag = daysBetween(addDays(end, 1), localDate(winback!));
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThanOrEqual(4);
    }
  });

  it('introduces us to a new admin, asks the owner to call, and writes no more to the old address', () => {
    const changed = [...customers.values()].filter(
      (c) =>
        c.adminChange &&
        c.adminChange.on < addDays(START, 390) &&
        termOn(c, c.adminChange.on) !== null &&
        !paused().has(c.customerId),
    );
    expect(changed.length).toBeGreaterThan(3);
    for (const customer of changed) {
      const change = customer.adminChange!;
      const mine = events.filter((e) => e.customerId === customer.customerId);
      const intro = mine.find((e) => e.kind === 'email' && e.template === 'new-admin');
      expect(intro?.to, customer.customerId).toBe(change.adminEmail);
      expect(daysBetween(change.on, localDate(intro!))).toBeLessThanOrEqual(4);
      expect(mine.some((e) => e.kind === 'task' && e.task === 'new-admin-call')).toBe(true);
      const toOld = mine.filter(
        (e) => e.kind === 'email' && e.to === customer.adminEmail && localDate(e) > change.on,
      );
      expect(toOld, customer.customerId).toEqual([]);
    }
  });
});
