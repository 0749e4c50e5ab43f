import type { CustomerState } from '../../lambdas/domain/customer';
import type { IsoDate } from '../../lambdas/domain/dates';
import type { Case, CustomerRecord, DomainEvent } from '../../lambdas/domain/engine/cases';
import { evaluateNight, type NightDecisions } from '../../lambdas/domain/engine/evaluateNight';
import { DEFAULT_PLAYBOOK, type Playbook } from '../../lambdas/domain/playbook/playbook';

/**
 * Keeps cases between nights the way the evaluator's store does: each night's updated cases replace the old
 * records. Lets a test replay a customer's nights and look at every decision.
 */
export class EngineRun {
  readonly cases = new Map<string, Case>();
  readonly events: (DomainEvent & { on: IsoDate })[] = [];
  suppressed = new Set<string>();

  constructor(private readonly playbook: Playbook = DEFAULT_PLAYBOOK) {}

  /** One night, evaluated at `now` (by default 01:00 UTC, before 09:30 in Europe and the Americas). */
  night(
    today: IsoDate,
    customers: CustomerRecord[],
    portfolioDate: IsoDate = today,
    now = new Date(`${today}T01:00:00Z`),
  ): NightDecisions {
    const decisions = evaluateNight({
      playbook: this.playbook,
      today,
      now,
      sendTime: '09:30',
      portfolioDate,
      customers,
      cases: [...this.cases.values()],
      suppressedEmails: this.suppressed,
    });
    for (const c of decisions.updated) this.cases.set(c.caseId, c);
    for (const e of decisions.events) this.events.push({ ...e, on: today });
    return decisions;
  }

  casesOf(playId: string): Case[] {
    return [...this.cases.values()].filter((c) => c.playId === playId);
  }

  /** Scheduled customer emails: what delivery would send, with their days. */
  emails(): {
    customerId: string;
    playId: string;
    template: string;
    variant: string | null;
    dueOn: IsoDate;
    to: string;
  }[] {
    return [...this.cases.values()].flatMap((c) =>
      c.steps
        .filter((s) => s.kind === 'email' && (s.status === 'scheduled' || s.status === 'done'))
        .map((s) => ({
          customerId: c.customerId,
          playId: c.playId,
          template: s.template!,
          variant: s.variant,
          dueOn: s.dueOn,
          to: c.recipient,
        })),
    );
  }
}

/**
 * The same customer on another day, with seats or term changed as given. A customer with one line has that line
 * changed alike (a renewal shows as the line's later term_end), unless the lines are given.
 */
export function on(state: CustomerState, date: IsoDate, changes: Partial<CustomerState> = {}): CustomerState {
  const next = { ...state, snapshotDate: date, ...changes };
  if (changes.lines || state.lines.length !== 1) return next;
  const line = state.lines[0]!;
  next.lines = [
    {
      ...line,
      licensesPurchased: next.licensesPurchased,
      licensesAssigned: next.licensesAssigned,
      activeUsers: next.activeUsers,
      termStart: next.termStart,
      termEnd: next.termEnd,
    },
  ];
  return next;
}
