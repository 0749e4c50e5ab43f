import { addDays, type IsoDate } from '../domain/dates';
import { scheduleName } from '../domain/delivery/scheduleName';
import { type ClockTime, localTimeToUtc } from '../domain/delivery/sendTime';
import type { Case, CaseStep } from '../domain/engine/cases';
import {
  evaluateNight,
  firstFreeBusinessDay,
  type NightDecisions,
  type NightInput,
} from '../domain/engine/evaluateNight';
import { quarterFromKey, quarterKey, quarterOf } from '../domain/engine/sendingWindows';
import type { EmailDayBook } from '../ports/emailDayBook';
import type { EventLog } from '../ports/eventLog';
import type { PlannedEmails } from '../ports/plannedEmails';
import type { PortfolioSnapshot, PortfolioStore } from '../ports/portfolioStore';
import type { Scheduler } from '../ports/scheduler';
import type { SendingQuota, SendingQuotaSource } from '../ports/sendingQuota';
import { mapWithConcurrency } from '../shared/concurrency';
import type { EvaluationSettings } from './settings';
import { sweepMissedSteps } from './sweepMissedSteps';

export interface EvaluateDependencies {
  store: PortfolioStore;
  emailDays: EmailDayBook;
  scheduler: Scheduler;
  events: EventLog;
  settings: EvaluationSettings;
  /** The account's sending quota, and the customer emails already planned on each day against it. */
  quota: SendingQuotaSource;
  plannedEmails: PlannedEmails;
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
 * The nightly evaluation: read the portfolio (or one shard of it) once, let the engine decide, book the email
 * days of new cases, set a one-time schedule for every step of a new case, save what changed, and delete the
 * schedules of steps a resolution cancelled. Schedules come before the save: a run cut short is run again (the
 * queue, the nightly schedule's retries) and opens the same cases again, where making an existing schedule is a
 * no-op; saved first, a case whose schedules were never made would stay silent.
 */
export async function evaluatePortfolio(
  deps: EvaluateDependencies,
  today: IsoDate,
  options: { shard?: { index: number; count: number }; customers?: number } = {},
) {
  const { shard, customers } = options;
  // A shard's load reads its own segment: the customer count (what sizes a whole-portfolio scan) is not used.
  const snapshot = await deps.store.load({ finishedCases: 'head', shard, customers });
  if (!snapshot.portfolioDate)
    return { customers: 0, opened: 0, resolved: 0, scheduled: 0, cancelled: 0, rescheduled: 0, held: 0 };
  const rescheduled = await sweepMissedSteps(deps, snapshot, today);
  const timezoneOf = new Map(snapshot.customers.map((c) => [c.state.customerId, c.state.timezone]));
  const zoneOf = (customerId: string) => timezoneOf.get(customerId) ?? deps.settings.defaultTimezone;
  const { decisions, held } = await planWithinQuota(deps, snapshot, today, zoneOf, shard);
  const at = deps.now();

  const toSchedule = decisions.opened.flatMap((c) =>
    c.steps.filter((s) => s.status === 'scheduled').map((step) => ({ c, step })),
  );
  const results = await mapWithConcurrency(toSchedule, SCHEDULES_IN_FLIGHT, ({ c, step }) => {
    if (step.kind === 'email') {
      // The engine decided the day: send time on it is ahead in the admin's zone.
      return deps.scheduler.scheduleOnce({
        name: stepScheduleName(c, step),
        date: step.dueOn,
        time: deps.settings.sendTime,
        timeZone: zoneOf(c.customerId),
        payload: { customerId: c.customerId, caseId: c.caseId, step: step.index } satisfies StepPayload,
      });
    }
    // Tasks land before the owners' digest; one whose time has passed today lands tomorrow.
    const { taskTime: time, defaultTimezone: timeZone } = deps.settings;
    let date = step.dueOn;
    while (localTimeToUtc(date, time, timeZone) <= at) date = addDays(date, 1);
    return deps.scheduler.scheduleOnce({
      name: stepScheduleName(c, step),
      date,
      time,
      timeZone,
      payload: { customerId: c.customerId, caseId: c.caseId, step: step.index } satisfies StepPayload,
    });
  });

  await deps.store.saveCases(decisions.updated);
  for (const event of decisions.events) deps.events.record(event, at);
  // After the save: a run repeated after a crash finds these cases settled and gives nothing back twice.
  const givenBack = emailsPerQuarter(
    [...decisions.resolved, ...decisions.closed],
    'cancelled',
    today,
    deps.settings.sendTime,
    zoneOf,
  );
  await mapWithConcurrency([...givenBack], SCHEDULES_IN_FLIGHT, ([quarter, count]) =>
    deps.plannedEmails.remove(quarter, count),
  );

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
    rescheduled,
    held,
  };
}

/** How far ahead the planned counts are read: a first night's backlog under a small quota fits well within it. */
const PLANNING_DAYS = 120;
/** Emails sent in the last day still count in SES's rolling 24 hours: counts are read from this far back. */
const LOOKBACK_DAYS = 2;

/**
 * Customer emails any 24 hours may carry: the daily quota less a tenth, kept for the owners' and team's digests
 * and for a burst whose last emails leave a little after its quarter hour.
 */
export function customerEmailsPerDay(quota: SendingQuota): number {
  return Math.max(1, quota.dailyMessages - Math.ceil(quota.dailyMessages / 10));
}

/** Email steps of these cases per quarter hour of their send instant, in the given status, from today on. */
function emailsPerQuarter(
  cases: readonly Case[],
  status: 'scheduled' | 'cancelled',
  today: IsoDate,
  sendTime: ClockTime,
  timezoneOf: (customerId: string) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of cases) {
    // Held-out cases send nothing.
    if (c.heldOut) continue;
    for (const step of c.steps) {
      if (step.kind !== 'email' || step.status !== status || step.dueOn < today) continue;
      const key = quarterKey(quarterOf(localTimeToUtc(step.dueOn, sendTime, timezoneOf(c.customerId))));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * The engine's decisions with tonight's new emails placed within the sending quota, and their quarters added to
 * the portfolio's planned counts. The counts are read once: a shard takes only its share of each window (see
 * EmailRoom), so shards running at once cannot overfill one.
 */
async function planWithinQuota(
  deps: EvaluateDependencies,
  snapshot: PortfolioSnapshot,
  today: IsoDate,
  timezoneOf: (customerId: string) => string,
  shard?: { index: number; count: number },
): Promise<{ decisions: NightDecisions; held: number }> {
  const perWindow = customerEmailsPerDay(await deps.quota.quota());
  const counted = await deps.plannedEmails.countsFrom(addDays(today, -LOOKBACK_DAYS), PLANNING_DAYS);
  const planned = new Map([...counted].map(([key, n]) => [quarterFromKey(key), n]));
  const night: NightInput = {
    playbook: deps.settings.playbook,
    today,
    now: deps.now(),
    sendTime: deps.settings.sendTime,
    portfolioDate: snapshot.portfolioDate!,
    customers: snapshot.customers,
    cases: snapshot.cases,
    suppressedEmails: snapshot.suppressedEmails,
    emailRoom: { perWindow, planned, ...(shard ? { share: shard } : {}) },
  };
  const decisions = shard
    ? await decideWithDaysBookedElsewhere(deps.emailDays, snapshot, today, night)
    : evaluateNight(night);
  await bookEmailDays(deps.emailDays, snapshot.cases, decisions.opened);
  const held = decisions.opened.reduce(
    (n, c) => n + c.steps.filter((s) => s.heldFrom !== undefined).length,
    0,
  );
  const adding = emailsPerQuarter(decisions.opened, 'scheduled', today, deps.settings.sendTime, timezoneOf);
  // Each count is an atomic ADD on its own item: they go at once.
  await mapWithConcurrency([...adding], SCHEDULES_IN_FLIGHT, ([quarter, count]) =>
    deps.plannedEmails.add(quarter, count),
  );
  return { decisions, held };
}

/** The days of the recipients the engine asked for, recording which it asked for. */
class DaysAskedFor extends Map<string, ReadonlySet<IsoDate>> {
  readonly asked = new Set<string>();

  override get(recipient: string): ReadonlySet<IsoDate> | undefined {
    this.asked.add(recipient);
    return super.get(recipient);
  }
}

/**
 * A shard's decisions, knowing what other shards booked for the admins it plans emails for (an admin can look
 * after customers in several shards). The engine asks for an admin's days only when it plans one of their emails,
 * and on most nights a shard plans none: it runs first knowing no one's, and when it asked, those admins' days are
 * read and it runs again (again only if that run asked about an admin not yet read). Reading every admin's days
 * up front cost a request per 100 admins and most of the evaluation's bytes, for nothing on most nights.
 */
async function decideWithDaysBookedElsewhere(
  book: EmailDayBook,
  snapshot: PortfolioSnapshot,
  today: IsoDate,
  night: NightInput,
): Promise<NightDecisions> {
  const known = new Map<string, ReadonlySet<IsoDate>>();
  for (;;) {
    const days = new DaysAskedFor(known);
    const decisions = evaluateNight({ ...night, sentEmailDays: days });
    const unread = [...days.asked].filter((recipient) => !known.has(recipient));
    if (unread.length === 0) return decisions;
    const elsewhere = await daysBookedElsewhere(book, snapshot, unread, today);
    for (const recipient of unread) known.set(recipient, elsewhere.get(recipient) ?? new Set());
  }
}

/**
 * What other shards booked for these admins, by normalised address. This shard's own customers' bookings are left
 * out: its cases already show them, and a repeated shard must be free to plan the same days again.
 */
async function daysBookedElsewhere(
  book: EmailDayBook,
  snapshot: PortfolioSnapshot,
  admins: readonly string[],
  today: IsoDate,
): Promise<Map<string, Set<IsoDate>>> {
  const own = new Set(snapshot.customers.map((c) => c.state.customerId));
  const booked = await book.bookedDays(admins, today);
  const elsewhere = new Map<string, Set<IsoDate>>();
  for (const [address, days] of booked) {
    const foreign = [...days].filter(([, customerId]) => !own.has(customerId)).map(([day]) => day);
    if (foreign.length > 0) elsewhere.set(address, new Set(foreign));
  }
  return elsewhere;
}

/**
 * Books the day of every email step of tonight's new cases. A day another shard took since this one read the
 * book moves the step to the admin's next business day free in the book and in this shard's own plans, as the
 * engine would have planned it. One admin's steps are booked one after another.
 */
async function bookEmailDays(
  book: EmailDayBook,
  known: readonly Case[],
  opened: readonly Case[],
): Promise<void> {
  const byRecipient = new Map<string, { c: Case; step: CaseStep }[]>();
  for (const c of opened) {
    const recipient = c.recipient;
    for (const step of c.steps) {
      if (step.kind !== 'email' || step.status !== 'scheduled') continue;
      const steps = byRecipient.get(recipient);
      if (steps) steps.push({ c, step });
      else byRecipient.set(recipient, [{ c, step }]);
    }
  }
  // Only a lost booking needs the admin's other email days, so they are gathered then, and rarely.
  const plannedFor = (recipient: string): Set<IsoDate> => {
    const days = new Set<IsoDate>();
    for (const c of [...known, ...opened]) {
      if (c.status === 'resolved' || c.recipient !== recipient) continue;
      for (const step of c.steps)
        if (step.kind === 'email' && (step.status === 'scheduled' || step.status === 'done'))
          days.add(step.dueOn);
    }
    return days;
  };
  await mapWithConcurrency([...byRecipient], SCHEDULES_IN_FLIGHT, async ([recipient, steps]) => {
    let days: Set<IsoDate> | undefined;
    for (const { c, step } of steps) {
      while (!(await book.book(c.recipient, step.dueOn, c.customerId))) {
        days ??= plannedFor(recipient);
        days.add(step.dueOn);
        step.dueOn = firstFreeBusinessDay(days, step.dueOn);
        days.add(step.dueOn);
      }
    }
  });
}
