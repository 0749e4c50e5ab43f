import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerState, UsagePoint } from '../../../lambdas/domain/customer';
import { usagePointOf } from '../../../lambdas/domain/customer';
import { addDays, type IsoDate } from '../../../lambdas/domain/dates';
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
