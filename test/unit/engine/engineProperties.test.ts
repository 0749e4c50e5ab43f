import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerState, UsagePoint } from '../../../lambdas/domain/customer';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { addDays, dayOfWeek, type IsoDate, todayIn } from '../../../lambdas/domain/dates';
import { type ClockTime, localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { evaluateNight } from '../../../lambdas/domain/engine/evaluateNight';
import { DEFAULT_PLAYBOOK } from '../../../lambdas/domain/playbook/playbook';
import { customerState } from '../../helpers/customerFactory';

const ADMINS = ['a@one.example', 'b@two.example', 'c@three.example'];
const START = '2026-01-05';

const customerArb = fc.record({
  admin: fc.constantFrom(...ADMINS),
  termOffset: fc.integer({ min: -400, max: 200 }),
  termDays: fc.constantFrom(365, 1096, 200, 90),
  seats: fc.integer({ min: 0, max: 40 }),
  assignedShare: fc.double({ min: 0, max: 1, noNaN: true }),
  activeShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
  drift: fc.double({ min: -0.02, max: 0.02, noNaN: true }),
  renewsOnDay: fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined }),
  absentFrom: fc.option(fc.integer({ min: 10, max: 150 }), { nil: undefined }),
});

const portfolioArb = fc.record({
  customers: fc.array(customerArb, { minLength: 1, maxLength: 6 }),
  nights: fc.integer({ min: 20, max: 150 }),
  suppressed: fc.subarray(ADMINS, { maxLength: 1 }),
});

type Portfolio = fc.Arbitrary<typeof portfolioArb extends fc.Arbitrary<infer T> ? T : never>;
type PortfolioValue = Portfolio extends fc.Arbitrary<infer T> ? T : never;

/** Replays the nights, feeding each night's cases back, and checks the engine's promises along the way. */
function replay(
  portfolio: PortfolioValue,
  check: (night: IsoDate, cases: Map<string, Case>, states: CustomerState[]) => void,
) {
  const cases = new Map<string, Case>();
  const history = new Map<string, UsagePoint[]>();
  const suppressedEmails = new Set(portfolio.suppressed);
  for (let n = 0; n < portfolio.nights; n++) {
    const today = addDays(START, n);
    const states = portfolio.customers.map((c, i) => {
      const termStart = addDays(START, c.termOffset);
      const renewed = c.renewsOnDay !== undefined && n >= c.renewsOnDay;
      const termEnd = addDays(termStart, c.termDays * (renewed ? 2 : 1));
      const assigned = Math.round(c.seats * Math.min(1, Math.max(0, c.assignedShare + c.drift * n)));
      const active = Math.max(0, Math.round(assigned * Math.max(0, c.activeShare + c.drift * n)));
      const absent = c.absentFrom !== undefined && n >= c.absentFrom;
      return customerState({
        customerId: `C${i}`,
        adminEmail: c.admin,
        termStart,
        termEnd,
        date: absent ? addDays(START, c.absentFrom! - 1) : today,
        licensesPurchased: c.seats,
        licensesAssigned: assigned,
        activeUsers: active,
      });
    });
    const input = {
      playbook: DEFAULT_PLAYBOOK,
      today,
      now: new Date(`${today}T01:00:00Z`),
      sendTime: '09:30' as const,
      portfolioDate: today,
      customers: states.map((state) => ({
        state,
        history: history.get(state.customerId) ?? [],
        firstSeen: START,
      })),
      cases: [...cases.values()],
      suppressedEmails,
    };
    const first = evaluateNight(input);
    for (const c of first.updated) cases.set(c.caseId, c);
    // The same night again, with its own decisions persisted, decides nothing new.
    const second = evaluateNight({ ...input, cases: [...cases.values()] });
    expect(second.updated).toEqual([]);
    expect(second.events).toEqual([]);
    for (const state of states) {
      if (state.snapshotDate !== today) continue;
      const points = history.get(state.customerId) ?? [];
      points.push(usagePointOf(state));
      history.set(state.customerId, points);
    }
    check(today, cases, states);
  }
}

describe('lifecycle engine properties', () => {
  it('a night evaluated twice adds no decision', () => {
    fc.assert(
      fc.property(portfolioArb, (portfolio) => {
        replay(portfolio, () => {});
      }),
      { numRuns: 60 },
    );
  });

  it('never plans an email before term_start or to a suppressed address', () => {
    fc.assert(
      fc.property(portfolioArb, (portfolio) => {
        replay(portfolio, (_night, cases, states) => {
          const termStartOf = new Map(states.map((s) => [s.customerId, s.termStart]));
          for (const c of cases.values()) {
            for (const step of c.steps) {
              if (step.kind !== 'email' || step.status !== 'scheduled') continue;
              expect(portfolio.suppressed).not.toContain(c.recipient);
              expect(step.dueOn >= (termStartOf.get(c.customerId) ?? '')).toBe(true);
            }
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('never plans two customer emails to one recipient on one day', () => {
    fc.assert(
      fc.property(portfolioArb, (portfolio) => {
        replay(portfolio, (_night, cases) => {
          const seen = new Set<string>();
          for (const c of cases.values()) {
            for (const step of c.steps) {
              if (step.kind !== 'email' || step.status !== 'scheduled') continue;
              const key = `${c.recipient} ${step.dueOn}`;
              expect(seen.has(key), key).toBe(false);
              seen.add(key);
            }
          }
        });
      }),
      { numRuns: 60 },
    );
  });
});

/** Zones from UTC−12 to UTC+14, with half and three-quarter hours and both hemispheres' daylight saving. */
const ZONES = [
  'Etc/GMT+12',
  'Pacific/Pago_Pago',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/New_York',
  'America/Sao_Paulo',
  'Atlantic/Azores',
  'UTC',
  'Europe/Berlin',
  'Europe/Helsinki',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Tokyo',
  'Australia/Adelaide',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Pacific/Chatham',
  'Pacific/Tongatapu',
  'Pacific/Kiritimati',
];

const spellings = (address: string) => [
  address,
  ` ${address.toUpperCase()}`,
  address.replace(/^./, (c) => c.toUpperCase()),
];

const sharedAdminArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  /** How the second customer's export spells the shared address. */
  spelling: fc.integer({ min: 0, max: 2 }),
  termOffsets: fc.tuple(fc.integer({ min: -60, max: 40 }), fc.integer({ min: -60, max: 40 })),
  seats: fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })),
  activeShare: fc.tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ),
});

const zonedPortfolioArb = fc.record({
  admins: fc.array(sharedAdminArb, { minLength: 1, maxLength: 3 }),
  defaultZone: fc.constantFrom(...ZONES),
  /** The evaluation's local hour in the default zone. */
  evaluationHour: fc.integer({ min: 0, max: 23 }),
  nights: fc.integer({ min: 20, max: 60 }),
});

describe('send days in every time zone', () => {
  it('never two customer emails to one admin on one local day; every email at 09:30 local on a business day', () => {
    fc.assert(
      fc.property(zonedPortfolioArb, (portfolio) => {
        // Prepare
        const cases = new Map<string, Case>();
        const zoneOf = new Map<string, string>();
        const start = '2026-02-02';
        // Act: night after night, evaluated at the chosen hour in the default zone
        for (let n = 0; n < portfolio.nights; n++) {
          const evaluationDay = addDays(start, n);
          const hour = `${String(portfolio.evaluationHour).padStart(2, '0')}:00` as ClockTime;
          const now = localTimeToUtc(evaluationDay, hour, portfolio.defaultZone);
          const today = todayIn(portfolio.defaultZone, now);
          const customers = portfolio.admins.flatMap((admin, a) =>
            [0, 1].map((k) => {
              const address = `admin${a}@shared${a}.example`;
              const customerId = `C${a}-${k}`;
              zoneOf.set(customerId, admin.zone);
              const seats = admin.seats[k]!;
              return {
                state: customerState({
                  customerId,
                  adminEmail: k === 0 ? address : spellings(address)[admin.spelling]!,
                  adminAddress: address,
                  timezone: admin.zone,
                  termStart: addDays(start, admin.termOffsets[k]!),
                  date: today,
                  licensesPurchased: seats,
                  licensesAssigned: Math.round(seats / 2),
                  activeUsers: Math.round(seats * admin.activeShare[k]!),
                }),
                history: [],
                firstSeen: start,
              };
            }),
          );
          const decisions = evaluateNight({
            playbook: DEFAULT_PLAYBOOK,
            today,
            now,
            sendTime: '09:30',
            portfolioDate: today,
            customers,
            cases: [...cases.values()],
            suppressedEmails: new Set(),
          });
          // Assess: each new email goes out at 09:30 local, after the evaluation, on a local business day
          for (const c of decisions.opened) {
            const zone = zoneOf.get(c.customerId)!;
            for (const step of c.steps) {
              if (step.kind !== 'email' || step.status !== 'scheduled') continue;
              const at = localTimeToUtc(step.dueOn, '09:30', zone);
              expect(at.getTime()).toBeGreaterThan(now.getTime());
              expect(localClock(at, zone)).toEqual({ date: step.dueOn, time: '09:30' });
              expect([1, 2, 3, 4, 5]).toContain(dayOfWeek(step.dueOn));
            }
          }
          for (const c of decisions.updated) cases.set(c.caseId, c);
        }
        // Assess: one customer email per admin per local day over the whole run
        const seen = new Set<string>();
        for (const c of cases.values()) {
          for (const step of c.steps) {
            if (step.kind !== 'email' || step.status !== 'scheduled') continue;
            const key = `${c.recipient} ${step.dueOn}`;
            expect(seen.has(key), key).toBe(false);
            seen.add(key);
          }
        }
        expect(new Set([...cases.values()].map((c) => c.recipient)).size).toBeLessThanOrEqual(
          portfolio.admins.length,
        );
      }),
      { numRuns: 40 },
    );
  });
});

/** The local date and time of an instant in a zone, as a wall clock there shows it. */
function localClock(instant: Date, timeZone: string): { date: IsoDate; time: string } {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return { date: todayIn(timeZone, instant), time: time.format(instant) };
}
