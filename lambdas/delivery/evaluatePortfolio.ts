import { addDays, type IsoDate, nextBusinessDay } from '../domain/dates';
import { scheduleName } from '../domain/delivery/scheduleName';
import { localTimeToUtc } from '../domain/delivery/sendTime';
import type { Case, CaseStep } from '../domain/engine/cases';
import { evaluateNight } from '../domain/engine/evaluateNight';
import type { EventLog } from '../ports/eventLog';
import type { PortfolioStore } from '../ports/portfolioStore';
import type { Scheduler } from '../ports/scheduler';
import { mapWithConcurrency } from '../shared/concurrency';
import type { EvaluationSettings } from './settings';

export interface EvaluateDependencies {
  store: PortfolioStore;
  scheduler: Scheduler;
  events: EventLog;
  settings: EvaluationSettings;
  now: () => Date;
}

/** The payload a step schedule carries to the step handler. */
export interface StepPayload {
  customerId: string;
  caseId: string;
  step: number;
}

export function stepScheduleName(c: Pick<Case, 'caseId'>, step: Pick<CaseStep, 'index'>): string {
  return scheduleName('step', c.caseId, String(step.index));
}

const SCHEDULES_IN_FLIGHT = 8;

/**
 * The nightly evaluation: read the whole portfolio once, let the engine decide, save what changed, set a
 * one-time schedule for every step of a new case, and delete the schedules of steps a resolution cancelled.
 */
export async function evaluatePortfolio(deps: EvaluateDependencies, today: IsoDate) {
  const snapshot = await deps.store.load();
  if (!snapshot.portfolioDate) return { customers: 0, opened: 0, resolved: 0, scheduled: 0, cancelled: 0 };
  const decisions = evaluateNight({
    playbook: deps.settings.playbook,
    today,
    portfolioDate: snapshot.portfolioDate,
    customers: snapshot.customers,
    cases: snapshot.cases,
    suppressedEmails: snapshot.suppressedEmails,
  });
  await deps.store.saveCases(decisions.updated);
  const at = deps.now();
  for (const event of decisions.events) deps.events.record(event, at);

  const timezoneOf = new Map(snapshot.customers.map((c) => [c.state.customerId, c.state.timezone]));
  const toSchedule = decisions.opened.flatMap((c) =>
    c.steps.filter((s) => s.status === 'scheduled').map((step) => ({ c, step })),
  );
  const results = await mapWithConcurrency(toSchedule, SCHEDULES_IN_FLIGHT, ({ c, step }) => {
    // Emails reach the admin at send time in the admin's zone; tasks land before the owners' digest.
    const email = step.kind === 'email';
    const time = email ? deps.settings.sendTime : deps.settings.taskTime;
    const timeZone = email
      ? (timezoneOf.get(c.customerId) ?? deps.settings.defaultTimezone)
      : deps.settings.defaultTimezone;
    // Where that time has already passed today (the far east at a European night), go on the next business day.
    let date = step.dueOn;
    while (localTimeToUtc(date, time, timeZone) <= at)
      date = email ? nextBusinessDay(date) : addDays(date, 1);
    return deps.scheduler.scheduleOnce({
      name: stepScheduleName(c, step),
      date,
      time,
      timeZone,
      payload: { customerId: c.customerId, caseId: c.caseId, step: step.index } satisfies StepPayload,
    });
  });

  const toCancel = [...decisions.resolved, ...decisions.closed].flatMap((c) =>
    c.steps.filter((s) => s.status === 'cancelled').map((step) => stepScheduleName(c, step)),
  );
  // A schedule that already fired deleted itself: not-found is fine, and the step handler re-checks anyway.
  await mapWithConcurrency(toCancel, SCHEDULES_IN_FLIGHT, (name) => deps.scheduler.cancel(name));
  return {
    customers: snapshot.customers.length,
    opened: decisions.opened.length,
    resolved: decisions.resolved.length,
    scheduled: results.filter((r) => r === 'created').length,
    cancelled: toCancel.length,
  };
}
