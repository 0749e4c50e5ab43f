import { isTermRenewed, lineKeyOf, type SubscriptionTerm, termsOf } from '../customer';
import { addDays, daysBetween, type IsoDate, nextBusinessDay, onOrAfterBusinessDay } from '../dates';
import { type ClockTime, localTimeToUtc } from '../delivery/sendTime';
import type { Play, Playbook, Step } from '../playbook/schema';
import {
  type Case,
  type CaseStep,
  type CustomerRecord,
  caseIdOf,
  type DomainEvent,
  ROLLING_TERM,
} from './cases';
import {
  allHold,
  baselineUtilizationOf,
  type MetricValues,
  metricValuesOf,
  termValuesOf,
} from './conditions';
import { inHoldout } from './holdout';
import { type EmailRoom, quarterOf, SendingWindows } from './sendingWindows';

export type { EmailRoom };

export interface NightInput {
  playbook: Playbook;
  /** The evaluation day (the date in the reseller's default zone). Due dates never fall before it. */
  today: IsoDate;
  /**
   * When the evaluation runs, and the local time customer emails go out at: an email's day is one on which that
   * time is still ahead in the admin's zone, so the day booked is the day sent.
   */
  now: Date;
  sendTime: ClockTime;
  /** The latest snapshot date of the portfolio: a customer whose state is older is absent from the exports. */
  portfolioDate: IsoDate;
  customers: readonly CustomerRecord[];
  /** Open cases, plus closed and resolved ones recent enough to matter (repeat limits, case identity). */
  cases: readonly Case[];
  /** Admin addresses that unsubscribed, bounced or complained, normalised (normalizeAddress). */
  suppressedEmails: ReadonlySet<string>;
  /**
   * Days a recipient (normalised address) already has a customer email on, beyond what these cases show: the
   * sent ledger, or the bookings of other shards when the night is split.
   */
  sentEmailDays?: ReadonlyMap<string, ReadonlySet<IsoDate>>;
  /**
   * The room the SES sending quota leaves (absent: no limit). New emails are placed in play priority order, so
   * when a day is full the lower-priority plays wait for a later business day.
   */
  emailRoom?: EmailRoom;
}

export interface NightDecisions {
  opened: Case[];
  resolved: Case[];
  closed: Case[];
  /** Every case whose record changed tonight (opened, resolved or closed), to persist. */
  updated: Case[];
  events: DomainEvent[];
}

const NO_CASES: readonly Case[] = [];

/** A play that was seen late (its anchor in the past) gets at most this long to catch up; then it is history. */
const LATE_OPENING_DAYS = 30;
/** A win-back case stays open this long after it opens, waiting for a renewal. */
const WINBACK_OPEN_DAYS = 90;
/** A case of a customer whose lines are all monthly has no term_end to expire with: it waits this long. */
const ROLLING_CASE_DAYS = 365;

/**
 * One night of the lifecycle engine. Pure and deterministic: given the same input it decides the same things,
 * and fed its own output back (the persisted cases) it decides nothing new.
 */
export function evaluateNight(input: NightInput): NightDecisions {
  const { today } = input;
  const decisions: NightDecisions = { opened: [], resolved: [], closed: [], updated: [], events: [] };
  const plays = [...input.playbook.plays].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
  const playById = new Map(plays.map((p) => [p.id, p]));
  const casesByCustomer = new Map<string, Case[]>();
  for (const c of input.cases) {
    const list = casesByCustomer.get(c.customerId);
    if (list) list.push(c);
    else casesByCustomer.set(c.customerId, [c]);
  }
  const sendDays: SendDays = {
    booked: new BookedEmailDays(input),
    sendTime: input.sendTime,
    now: input.now,
    mayHavePassed: mayHavePassedBy(input.now),
    ...(input.emailRoom ? { room: new SendingWindows(input.emailRoom) } : {}),
  };

  // What may open tonight, per play in priority order: a play's conditions are checked here, so only the few
  // targets that will open are kept for the second pass.
  const candidates: { record: CustomerRecord; target: Target }[][] = plays.map(() => []);
  for (const record of input.customers) {
    const { state } = record;
    // Absent from the latest export: nothing is decided on stale data.
    if (state.snapshotDate < input.portfolioDate) continue;
    const values = metricValuesOf(state, record.history);
    const existing = casesByCustomer.get(state.customerId) ?? NO_CASES;
    for (const c of existing) {
      if (c.status !== 'open') continue;
      const changed = settle(c, playById.get(c.playId), record, values, today, sendDays.booked);
      if (!changed) continue;
      decisions.updated.push(changed);
      if (changed.status === 'resolved') {
        decisions.resolved.push(changed);
        decisions.events.push({
          kind: 'case-resolved',
          customerId: c.customerId,
          play: c.playId,
          caseId: c.caseId,
        });
      } else if (changed.status === 'closed') {
        decisions.closed.push(changed);
      }
    }
    // Plain loops in this pass: it runs for every customer and play each night.
    const terms: LazyTerms = { lines: state.lines };
    for (let i = 0; i < plays.length; i++) {
      const play = plays[i]!;
      for (const target of targetsOf(play, record, values, existing, terms, today))
        if (allHold(play.when, target.values)) candidates[i]!.push({ record, target });
    }
  }
  // Opened in play priority order across the portfolio (customers in id order within a play): a contested day,
  // the admin's or the quota's, goes to the higher-priority play.
  const byCustomerId = (a: { record: CustomerRecord }, b: { record: CustomerRecord }) =>
    a.record.state.customerId < b.record.state.customerId ? -1 : 1;
  plays.forEach((play, i) => {
    // Sorted here, among the few that open, rather than the whole portfolio: the same input in any order
    // decides the same.
    for (const { record, target } of candidates[i]!.sort(byCustomerId)) {
      const opened = open(play, record, target, today, sendDays, input.suppressedEmails, decisions.events);
      decisions.opened.push(opened);
      decisions.updated.push(opened);
    }
  });
  return decisions;
}

/**
 * Email days per recipient already taken, from today on (new steps are never due earlier): sent emails and email
 * steps of cases not resolved. Worked out for a recipient when first asked: on most nights few customers open a
 * case, and the days of every other recipient are never needed.
 */
class BookedEmailDays {
  private readonly days = new Map<string, Set<IsoDate>>();
  private casesByRecipient: Map<string, Case[]> | undefined;

  constructor(private readonly input: Pick<NightInput, 'today' | 'cases' | 'sentEmailDays'>) {}

  of(recipient: string): Set<IsoDate> {
    let days = this.days.get(recipient);
    if (days) return days;
    const { today } = this.input;
    days = new Set();
    for (const day of this.input.sentEmailDays?.get(recipient) ?? []) if (day >= today) days.add(day);
    this.casesByRecipient ??= casesByRecipientOf(this.input.cases);
    for (const c of this.casesByRecipient.get(recipient) ?? NO_CASES)
      for (const step of c.steps)
        if (
          step.kind === 'email' &&
          (step.status === 'scheduled' || step.status === 'done') &&
          step.dueOn >= today
        )
          days.add(step.dueOn);
    this.days.set(recipient, days);
    return days;
  }
}

function casesByRecipientOf(cases: readonly Case[]): Map<string, Case[]> {
  const byRecipient = new Map<string, Case[]>();
  for (const c of cases) {
    if (c.status === 'resolved') continue;
    const list = byRecipient.get(c.recipient);
    if (list) list.push(c);
    else byRecipient.set(c.recipient, [c]);
  }
  return byRecipient;
}

function lastDueOf(c: Case): IsoDate {
  let last = c.anchorOn;
  for (const step of c.steps) if (step.dueOn > last) last = step.dueOn;
  return last;
}

/**
 * Resolves or closes an open case when tonight's data says so, or hands its remaining emails to a new admin;
 * returns the changed copy, or null.
 */
function settle(
  c: Case,
  play: Play | undefined,
  record: CustomerRecord,
  values: MetricValues,
  today: IsoDate,
  booked: Pick<BookedEmailDays, 'of'>,
): Case | null {
  const { state } = record;
  const rule = play?.resolvedWhen;
  const resolved =
    rule === 'renewed'
      ? isTermRenewed({ termEnd: c.termEnd, lineKeys: c.lineKeys ?? state.lines.map(lineKeyOf) }, state.lines)
      : rule !== undefined && allHold(rule, values, c.baselineUtilization);
  if (resolved) {
    return { ...c, status: 'resolved', resolvedOn: today, steps: cancelPending(c.steps, today) };
  }
  // A case that cannot resolve is finished once its last step's day has passed; one that can waits for its
  // term (or its win-back period) to run out. A play removed from the playbook closes its cases.
  const finished = rule === undefined ? today > lastDueOf(c) : today > c.expiresOn;
  if (finished || !play) {
    return { ...c, status: 'closed', closedOn: today, steps: cancelPending(c.steps, today) };
  }
  if (c.recipient !== state.adminAddress) {
    // The export names a new admin: the case's remaining emails go to them, on the days already planned.
    const days = booked.of(state.adminAddress);
    for (const step of c.steps)
      if (step.kind === 'email' && step.status === 'scheduled' && step.dueOn >= today) days.add(step.dueOn);
    return { ...c, recipient: state.adminAddress };
  }
  return null;
}

function cancelPending(steps: readonly CaseStep[], today: IsoDate): CaseStep[] {
  // Steps due before today were handed to delivery already; only what lies ahead is cancelled.
  return steps.map((s) => (s.status === 'scheduled' && s.dueOn >= today ? { ...s, status: 'cancelled' } : s));
}

/** One case a play could open tonight: for the customer, or for one of its subscription terms. */
interface Target {
  /** The term the case belongs to (Case.termEnd). */
  termKey: IsoDate;
  values: MetricValues;
  anchorOn: IsoDate;
  expiresOn: IsoDate;
  lineKeys?: string[];
  /** Plays that may open more than once per term: what tells their cases apart (caseIdOf's last part). */
  occasion?: IsoDate;
}

/**
 * The cases a play could open tonight for a customer. Renewal and win-back plays run per subscription term;
 * the others per customer over the adoption term. A case this play already has for the same term (or
 * occasion) is not opened again.
 */
function targetsOf(
  play: Play,
  record: CustomerRecord,
  values: MetricValues,
  existing: readonly Case[],
  terms: LazyTerms,
  today: IsoDate,
): readonly Target[] {
  const { state } = record;
  const opens = play.opens;
  // Runs for every play and customer each night, and almost always finds nothing: it allocates only for what
  // it finds (a shared empty list otherwise), and checks a customer-wide play's conditions before building one.
  switch (opens.on) {
    case 'beforeTermEnd': {
      // Most customers are mid-term: no line ends within the play's days, and no terms need working out.
      const latest = addDays(state.snapshotDate, opens.days);
      if (!anyLineEndsBetween(state.lines, state.snapshotDate, latest)) return NO_TARGETS;
      let found: Target[] | undefined;
      for (const term of termsOfCustomer(terms)) {
        if (term.termEnd < state.snapshotDate || term.termStart > state.snapshotDate) continue;
        const anchorOn = addDays(term.termEnd, -opens.days);
        if (state.snapshotDate < anchorOn) continue;
        const t = freshTarget(
          play,
          existing,
          today,
          termTarget(term, values, state.snapshotDate, anchorOn, term.termEnd),
        );
        if (t) {
          found ??= [];
          found.push(t);
        }
      }
      return found ?? NO_TARGETS;
    }
    case 'afterTermEnd': {
      let found: Target[] | undefined;
      for (const term of lapsedTermsOf(record, existing, terms)) {
        const anchorOn = addDays(term.termEnd, opens.days);
        if (state.snapshotDate < anchorOn || state.snapshotDate > addDays(anchorOn, LATE_OPENING_DAYS))
          continue;
        const t = freshTarget(
          play,
          existing,
          today,
          termTarget(term, values, state.snapshotDate, anchorOn, addDays(anchorOn, WINBACK_OPEN_DAYS)),
        );
        if (t) {
          found ??= [];
          found.push(t);
        }
      }
      return found ?? NO_TARGETS;
    }
    case 'adminChange': {
      const change = state.adminChange;
      if (!change || state.snapshotDate > addDays(change.on, LATE_OPENING_DAYS)) return NO_TARGETS;
      if (!allHold(play.when, values)) return NO_TARGETS;
      const t = freshTarget(play, existing, today, {
        termKey: state.termEnd ?? ROLLING_TERM,
        values,
        anchorOn: change.on,
        expiresOn: change.on,
        occasion: change.on,
      });
      return t ? [t] : NO_TARGETS;
    }
    case 'termWeek':
    case 'anyDay': {
      // Nothing opens before the term has started, nor after the customer's every term has ended.
      if (state.snapshotDate < state.termStart) return NO_TARGETS;
      if (state.termEnd !== null && state.snapshotDate > state.termEnd) return NO_TARGETS;
      if (opens.on === 'termWeek') {
        const week = values.termWeek!;
        if (week < opens.from || (opens.to !== undefined && week > opens.to)) return NO_TARGETS;
        if (opens.firstTermOnly && !isFirstTermSeen(record)) return NO_TARGETS;
      }
      if (!allHold(play.when, values)) return NO_TARGETS;
      const t = freshTarget(play, existing, today, {
        termKey: state.termEnd ?? ROLLING_TERM,
        values,
        anchorOn: today,
        expiresOn: state.termEnd ?? addDays(today, ROLLING_CASE_DAYS),
      });
      return t ? [t] : NO_TARGETS;
    }
  }
}

const NO_TARGETS: readonly Target[] = [];
const NO_TERMS: readonly SubscriptionTerm[] = [];

/** A customer's subscription terms, worked out only if a term play needs them, and then once. */
interface LazyTerms {
  lines: CustomerRecord['state']['lines'];
  terms?: SubscriptionTerm[];
}

function anyLineEndsBetween(lines: LazyTerms['lines'], from: IsoDate, to: IsoDate): boolean {
  for (const line of lines)
    if (line.termEnd !== null && line.termEnd >= from && line.termEnd <= to) return true;
  return false;
}

function termsOfCustomer(lazy: LazyTerms): SubscriptionTerm[] {
  lazy.terms ??= termsOf(lazy.lines);
  return lazy.terms;
}

/** The target, unless this play already has a case for its term (or occasion), or repeats too soon. */
function freshTarget(play: Play, existing: readonly Case[], today: IsoDate, t: Target): Target | null {
  if (play.repeatAfterDays !== undefined) {
    let limit: IsoDate | undefined;
    for (const c of existing) {
      if (c.playId !== play.id) continue;
      limit ??= addDays(today, -play.repeatAfterDays);
      if (c.status === 'open' || c.openedOn > limit) return null;
    }
    return { ...t, occasion: today };
  }
  for (const c of existing)
    if (
      c.playId === play.id &&
      (t.occasion !== undefined ? c.anchorOn === t.occasion : c.termEnd === t.termKey)
    )
      return null;
  return t;
}

/**
 * Whether the customer's adoption term is the first one the system saw: first seen during it, or before it
 * started (provisioned ahead) with the history reaching back to that first sighting on this same term. A
 * customer seen before its term started on an earlier term has renewed: no second welcome.
 */
function isFirstTermSeen(record: CustomerRecord): boolean {
  const { state, firstSeen, history } = record;
  if (firstSeen >= state.termStart) return true;
  const first = history[0];
  return first !== undefined && first.snapshotDate === firstSeen && first.termStart === state.termStart;
}

function termTarget(
  term: SubscriptionTerm,
  values: MetricValues,
  date: IsoDate,
  anchorOn: IsoDate,
  expiresOn: IsoDate,
): Target {
  return {
    termKey: term.termEnd,
    values: termValuesOf(values, term, date),
    anchorOn,
    expiresOn,
    lineKeys: term.lineKeys,
  };
}

/**
 * Subscription terms whose term_end has passed without a renewal, while the customer is still exported: terms
 * whose lines stay in the export as they were, and terms known from their earlier cases whose lines have left
 * the export.
 */
function lapsedTermsOf(
  record: CustomerRecord,
  existing: readonly Case[],
  terms: LazyTerms,
): SubscriptionTerm[] {
  const { state } = record;
  const lapsed = new Map<IsoDate, SubscriptionTerm>();
  const anyEnded = anyLineEndsBetween(state.lines, '0000-01-01', addDays(state.snapshotDate, -1));
  for (const term of anyEnded ? termsOfCustomer(terms) : NO_TERMS)
    if (term.termEnd < state.snapshotDate && !isTermRenewed(term, state.lines))
      lapsed.set(term.termEnd, term);
  for (const c of existing) {
    if (!c.lineKeys || c.status === 'resolved' || c.termEnd >= state.snapshotDate || lapsed.has(c.termEnd))
      continue;
    const term = { termEnd: c.termEnd, lineKeys: c.lineKeys };
    if (isTermRenewed(term, state.lines)) continue;
    lapsed.set(c.termEnd, {
      ...term,
      termStart: c.termEnd,
      lines: [],
      licensesPurchased: 0,
      licensesAssigned: 0,
      activeUsers: null,
      autoRenew: false,
    });
  }
  return [...lapsed.values()];
}

function open(
  play: Play,
  record: CustomerRecord,
  target: Target,
  today: IsoDate,
  sendDays: SendDays,
  suppressed: ReadonlySet<string>,
  events: DomainEvent[],
): Case {
  const { state } = record;
  const { values } = target;
  const caseId = caseIdOf(state.customerId, play.id, target.termKey, target.occasion);

  const recipient = state.adminAddress;
  const steps = planSteps(play.steps, target.anchorOn, today, values);
  const c: Case = {
    caseId,
    customerId: state.customerId,
    playId: play.id,
    priority: play.priority,
    termEnd: target.termKey,
    openedOn: today,
    anchorOn: target.anchorOn,
    expiresOn: target.expiresOn,
    status: 'open',
    resolvedOn: null,
    closedOn: null,
    recipient,
    baselineUtilization: baselineUtilizationOf(state, record.history),
    steps,
    ...(inHoldout(state.customerId, play.id, play.holdoutPercent ?? 0) ? { heldOut: true } : {}),
  };
  if (target.lineKeys) c.lineKeys = target.lineKeys;
  events.push({ kind: 'case-opened', customerId: state.customerId, play: play.id, caseId });
  // A step the quota moved takes the case's later steps with it, so they keep their spacing after it.
  let shift = 0;
  for (const step of [...steps]) {
    if (step.status !== 'scheduled') continue;
    if (shift > 0) step.dueOn = addDays(step.dueOn, shift);
    if (step.kind !== 'email') continue;
    if (suppressed.has(recipient)) {
      // The admin cannot be emailed: the owner calls instead, on the day the email would have gone.
      step.status = 'suppressed';
      steps.push(callInstead(steps.length, step.dueOn));
      events.push({
        kind: 'suppressed',
        customerId: state.customerId,
        play: play.id,
        template: step.template!,
        to: recipient,
        reason: 'recipient-suppressed',
        caseId,
      });
      continue;
    }
    // A held-out case sends nothing, so it takes no room from the quota.
    const { day, heldFrom } = sendDayOf(sendDays, recipient, state.timezone, step.dueOn, !c.heldOut);
    if (heldFrom) {
      step.heldFrom = heldFrom;
      shift += daysBetween(step.dueOn, day);
    }
    step.dueOn = day;
  }
  return c;
}

/**
 * Due dates from the anchor. Steps whose day has already passed are skipped (no backfill blast), except the
 * latest missed customer email, which goes out now. Emails go on business days only; an email whose own
 * conditions do not hold (a last call for a term that renews by itself) is skipped.
 */
function planSteps(
  steps: readonly Step[],
  anchorOn: IsoDate,
  today: IsoDate,
  values: MetricValues,
): CaseStep[] {
  const wanted = (step: Step) => step.kind !== 'email' || !step.when || allHold(step.when, values);
  let latestMissedEmail = -1;
  steps.forEach((step, i) => {
    if (step.kind === 'email' && wanted(step) && addDays(anchorOn, step.day) < today) latestMissedEmail = i;
  });
  return steps.map((step, index): CaseStep => {
    const due = addDays(anchorOn, step.day);
    const missed = (due < today && index !== latestMissedEmail) || !wanted(step);
    const dueOn = due < today ? today : due;
    const base = { index, dueOn, status: missed ? ('skipped' as const) : ('scheduled' as const) };
    if (step.kind === 'email') {
      return {
        ...base,
        kind: 'email',
        template: step.template,
        variant: variantOf(step, values),
        task: null,
        reason: null,
        level: 0,
        dueOn: missed ? due : onOrAfterBusinessDay(dueOn),
      };
    }
    const dueDay = missed ? due : dueOn;
    if (step.kind === 'task') {
      return {
        ...base,
        kind: 'task',
        template: null,
        variant: null,
        task: step.task,
        reason: null,
        level: 1,
        dueOn: dueDay,
      };
    }
    return {
      ...base,
      kind: 'escalation',
      template: null,
      variant: null,
      task: null,
      reason: step.reason,
      level: 2,
      dueOn: dueDay,
    };
  });
}

function variantOf(step: Extract<Step, { kind: 'email' }>, values: MetricValues): string | null {
  if (!step.variants || step.variants.length === 0) return null;
  for (const rule of step.variants) if (allHold(rule.when, values)) return rule.variant;
  return step.variants[step.variants.length - 1]!.variant;
}

function callInstead(index: number, dueOn: IsoDate): CaseStep {
  return {
    index,
    kind: 'task',
    template: null,
    variant: null,
    task: 'call-admin-suppressed',
    reason: null,
    level: 1,
    dueOn,
    status: 'scheduled',
  };
}

/** The first business day on or after `day` that is not taken. */
export function firstFreeBusinessDay(taken: ReadonlySet<IsoDate>, day: IsoDate): IsoDate {
  let free = onOrAfterBusinessDay(day);
  while (taken.has(free)) free = nextBusinessDay(free);
  return free;
}

/** What deciding an email's send day needs: the days each recipient already has, and the evaluation instant. */
interface SendDays {
  booked: Pick<BookedEmailDays, 'of'>;
  sendTime: ClockTime;
  now: Date;
  /** Days after this one are ahead in every zone (UTC+14 at most): their send time cannot have passed. */
  mayHavePassed: IsoDate;
  /** Room the sending quota leaves, taken as emails are placed; absent: no limit. */
  room?: SendingWindows;
}

function mayHavePassedBy(now: Date): IsoDate {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * The one day a customer email goes out, decided here and used by the booking, the schedule, the case and the
 * events: a business day on or after `day` in the admin's zone, on which the send time is still ahead, on which
 * the recipient has no other customer email, and which the sending quota has room on. Plays are planned in
 * priority order, so the higher-priority play keeps a contested day and the other waits for the next free
 * business day. `heldFrom` is the day the quota alone moved the email from.
 */
function sendDayOf(
  sendDays: SendDays,
  recipient: string,
  timeZone: string,
  day: IsoDate,
  takesRoom = true,
): { day: IsoDate; heldFrom?: IsoDate } {
  const days = sendDays.booked.of(recipient);
  const open = (d: IsoDate) =>
    !days.has(d) &&
    !(d <= sendDays.mayHavePassed && localTimeToUtc(d, sendDays.sendTime, timeZone) <= sendDays.now);
  let free = onOrAfterBusinessDay(day);
  while (!open(free)) free = nextBusinessDay(free);
  const room = takesRoom ? sendDays.room : undefined;
  if (!room) {
    days.add(free);
    return { day: free };
  }
  const wanted = free;
  const hasRoom = (d: IsoDate) => room.take(quarterOf(localTimeToUtc(d, sendDays.sendTime, timeZone)));
  while (!open(free) || !hasRoom(free)) free = nextBusinessDay(free);
  days.add(free);
  return free === wanted ? { day: free } : { day: free, heldFrom: wanted };
}

/**
 * The same rule for an email planned outside tonight's plays (a step whose schedule was lost, moved by the
 * nightly sweep): the first day from `day` on that `sendDays` would give it. Adds the day to `taken`.
 */
export function sendDayFor(
  taken: Set<IsoDate>,
  timeZone: string,
  sendTime: ClockTime,
  now: Date,
  day: IsoDate,
): IsoDate {
  const sendDays: SendDays = {
    booked: { of: () => taken },
    sendTime,
    now,
    mayHavePassed: mayHavePassedBy(now),
  };
  return sendDayOf(sendDays, '', timeZone, day).day;
}
