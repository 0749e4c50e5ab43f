import { addDays, daysBetween, type IsoDate } from '../domain/dates';
import { type ClockTime, localTimeToUtc } from '../domain/delivery/sendTime';
import type { Case } from '../domain/engine/cases';
import { sendDayFor } from '../domain/engine/evaluateNight';
import type { PortfolioSnapshot } from '../ports/portfolioStore';
import { mapWithConcurrency } from '../shared/concurrency';
import { type EvaluateDependencies, type StepPayload, stepScheduleName } from './evaluatePortfolio';

/**
 * How far back the sweep looks. It runs every night, so a lost step is found the next night; the window only
 * keeps a long-absent customer's or a long-broken deployment's old steps from all going out at once.
 */
export const SWEEP_DAYS = 7;

const SCHEDULES_IN_FLIGHT = 8;

/**
 * The nightly sweep for steps whose schedule was lost (never made, deleted, or its retries ran out into the
 * dead-letter queue): a step of an open case, due in the last week and still `scheduled`, for a customer in the
 * latest export. Its schedule is made again under the step's own deterministic name, at the next send time:
 * where the original still waits (an email moved to the next business day), Scheduler answers "exists" and
 * nothing changes, and a second sweep of the same night finds its own schedule. Only a schedule really made
 * again counts, and its step's day moves to the new one (before the engine plans tonight, so "one customer email
 * a day" sees it). Sending stays exactly once whatever the sweep does: the step re-reads the case and the ledger.
 * Returns how many steps it scheduled again, for the StepsRescheduled metric and its alarm.
 */
export async function sweepMissedSteps(
  deps: Pick<EvaluateDependencies, 'store' | 'emailDays' | 'scheduler' | 'settings' | 'now'>,
  snapshot: PortfolioSnapshot,
  today: IsoDate,
): Promise<number> {
  const current = new Map(
    snapshot.customers
      .filter((c) => c.state.snapshotDate === snapshot.portfolioDate)
      .map((c) => [c.state.customerId, c.state]),
  );
  const missed = snapshot.cases.flatMap((c) =>
    c.status !== 'open' || !current.has(c.customerId)
      ? []
      : c.steps
          .filter(
            (s) => s.status === 'scheduled' && s.dueOn < today && daysBetween(s.dueOn, today) <= SWEEP_DAYS,
          )
          .map((step) => ({ c, step })),
  );
  if (missed.length === 0) return 0;
  const at = deps.now();
  const emailDays = emailDaysByRecipient(snapshot.cases);
  // Slots first, one after another, so two missed emails to one admin get different days.
  const slots = missed.map(({ c, step }) => {
    const timeZone =
      step.kind === 'email'
        ? (current.get(c.customerId)?.timezone ?? deps.settings.defaultTimezone)
        : deps.settings.defaultTimezone;
    const time = step.kind === 'email' ? deps.settings.sendTime : deps.settings.taskTime;
    const recipient = c.recipient.toLowerCase();
    let taken = emailDays.get(recipient);
    if (!taken) {
      taken = new Set();
      emailDays.set(recipient, taken);
    }
    const date =
      step.kind === 'email'
        ? sendDayFor(taken, timeZone, time, at, today)
        : nextTaskDay(today, time, timeZone, at);
    return { c, step, date, time, timeZone };
  });
  const made = await mapWithConcurrency(
    slots,
    SCHEDULES_IN_FLIGHT,
    async ({ c, step, date, time, timeZone }) => {
      const result = await deps.scheduler.scheduleOnce({
        name: stepScheduleName(c, step),
        date,
        time,
        timeZone,
        payload: { customerId: c.customerId, caseId: c.caseId, step: step.index } satisfies StepPayload,
      });
      if (result !== 'created') return false;
      await deps.store.rescheduleStep(c.customerId, c.caseId, step.index, date);
      step.dueOn = date;
      // Shards of the same night see this email's day too (a lost booking only moves nothing here: it is sent).
      if (step.kind === 'email') await deps.emailDays.book(c.recipient, date, c.customerId);
      return true;
    },
  );
  return made.filter(Boolean).length;
}

/** Tasks: the first day from today whose task time is still ahead. Emails follow the engine's send-day rule. */
function nextTaskDay(today: IsoDate, time: ClockTime, timeZone: string, at: Date): IsoDate {
  let day = today;
  while (localTimeToUtc(day, time, timeZone) <= at) day = addDays(day, 1);
  return day;
}

/** The days each admin already has a customer email on (sent or waiting), as the engine counts them. */
function emailDaysByRecipient(cases: readonly Case[]): Map<string, Set<IsoDate>> {
  const days = new Map<string, Set<IsoDate>>();
  for (const c of cases) {
    if (c.status === 'resolved') continue;
    const recipient = c.recipient.toLowerCase();
    for (const step of c.steps) {
      if (step.kind !== 'email' || (step.status !== 'scheduled' && step.status !== 'done')) continue;
      const set = days.get(recipient);
      if (set) set.add(step.dueOn);
      else days.set(recipient, new Set([step.dueOn]));
    }
  }
  return days;
}
