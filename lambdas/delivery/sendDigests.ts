import { createHash } from 'node:crypto';
import { type CustomerState, termsOf } from '../domain/customer';
import { addDays, daysBetween, type IsoDate, isBusinessDay } from '../domain/dates';
import { type OwnerAction, signActionToken } from '../domain/delivery/actionToken';
import { localTimeToUtc } from '../domain/delivery/sendTime';
import { taskCodeOf } from '../domain/delivery/taskCode';
import type { Case, CustomerRecord } from '../domain/engine/cases';
import { holdoutsOfCases } from '../domain/engine/holdout';
import { portfolioKpis, utilizationPct } from '../domain/metrics';
import type { EventLog } from '../ports/eventLog';
import type { IngestReports } from '../ports/ingestStore';
import type { Mailer } from '../ports/mailer';
import type { OwnerActionBook } from '../ports/ownerActions';
import type { MessageLedger, PortfolioStore } from '../ports/portfolioStore';
import type { OwnerTask, TaskBook } from '../ports/taskBook';
import type { DigestData, DigestTask, OwnerActivity } from '../rendering/model';
import type { EmailRenderer } from '../rendering/renderer';
import { mapWithConcurrency } from '../shared/concurrency';
import { linesOfCase, productSeatsOf } from './emailData';
import { ClaimHeldError, markSentPersistently, SentNotRecordedError } from './runStep';
import type { DigestSettings } from './settings';

export interface DigestDependencies {
  store: PortfolioStore;
  tasks: TaskBook;
  reports: IngestReports;
  ledger: MessageLedger;
  mailer: Mailer;
  renderer: EmailRenderer;
  events: EventLog;
  /** Pauses and the owners' recorded actions. */
  actions: OwnerActionBook;
  settings: DigestSettings;
  /** Signs the action links. */
  secret: () => Promise<string>;
  now: () => Date;
}

/** Tasks about a renewal also offer Won't renew. */
const RENEWAL_TASKS = new Set(['renewal-call', 'renewal-followup-call']);

/** Makes the signed links of one digest: one token per action and task, for the digest's recipient. */
type LinkMaker = (
  action: OwnerAction,
  by: string,
  customerId: string,
  task: OwnerTask | null,
) => string | null;

function linkMaker(deps: DigestDependencies, secret: string, today: IsoDate): LinkMaker {
  const base = deps.settings.actionBaseUrl?.replace(/\/$/, '');
  return (action, by, customerId, task) => {
    if (!base) return null;
    const token = signActionToken(
      {
        action,
        by,
        customerId,
        task: task ? { to: task.to, dueOn: task.dueOn, taskId: task.taskId } : null,
        locale: deps.settings.defaultLocale,
        issuedOn: today,
      },
      secret,
    );
    return `${base}/a/${token}`;
  };
}

function taskActions(task: OwnerTask, link: LinkMaker): DigestTask['actions'] {
  const actions: OwnerAction[] = ['done', 'snooze', 'pause'];
  if (task.task && RENEWAL_TASKS.has(task.task)) actions.push('wont-renew');
  return actions.flatMap((action) => {
    const url = link(action, task.to, task.customerId, task);
    return url ? [{ action, url }] : [];
  });
}

const OVERDUE_AFTER_DAYS = 7;
const OVERDUE_LOOKBACK_DAYS = 30;
const OWNERS_IN_FLIGHT = 4;

/** The last business day before `day`: a Monday digest covers Saturday and Sunday too. */
function previousBusinessDay(day: IsoDate): IsoDate {
  let d = addDays(day, -1);
  while (!isBusinessDay(d)) d = addDays(d, -1);
  return d;
}

function previousContactOf(state: CustomerState | undefined): string | null {
  const change = state?.adminChange;
  if (!change) return null;
  return change.fromName ? `${change.fromName} (${change.fromEmail})` : change.fromEmail;
}

function digestTask(
  task: OwnerTask,
  state: CustomerState | undefined,
  taskCase: Case | undefined,
  withTalkingPoints: boolean,
  showOwner: boolean,
  link: LinkMaker,
): DigestTask {
  return {
    actions: taskActions(task, link),
    taskCode: taskCodeOf(task),
    task: task.task,
    reason: task.reason,
    customerName: state?.customerName ?? task.customerId,
    contactName: state?.adminName ?? null,
    email: state?.adminEmail ?? '',
    previousContact: task.task === 'new-admin-call' ? previousContactOf(state) : null,
    phone: null,
    dueOn: task.dueOn,
    products: state ? linesOfCase(state, taskCase).map(productSeatsOf) : [],
    utilizationPct: state ? utilizationPct(state) : null,
    ownerEmail: showOwner ? (state?.ownerEmail ?? null) : null,
    withTalkingPoints,
  };
}

/** Subscription terms ending in the next 90 days, one entry per term (a customer may have several). */
function renewalsOf(customers: readonly CustomerRecord[], today: IsoDate) {
  return customers
    .flatMap(({ state }) =>
      termsOf(state.lines)
        .filter((term) => {
          const days = daysBetween(today, term.termEnd);
          return days >= 0 && days <= 90;
        })
        .map((term) => ({
          customerName: state.customerName,
          termEnd: term.termEnd,
          seats: term.licensesPurchased,
          utilizationPct: utilizationPct(term),
        })),
    )
    .sort((a, b) => (a.termEnd < b.termEnd ? -1 : a.termEnd > b.termEnd ? 1 : 0));
}

/**
 * Customer emails the sending quota moved to a later day and not sent yet, and the last day planned: what the
 * digest says is waiting. Held-out cases send nothing and are not counted.
 */
function waitingOf(cases: readonly Case[], today: IsoDate): DigestData['waiting'] {
  let emails = 0;
  let lastOn = today;
  for (const c of cases) {
    if (c.status !== 'open' || c.heldOut) continue;
    for (const step of c.steps) {
      if (step.kind !== 'email' || step.status !== 'scheduled' || !step.heldFrom || step.dueOn < today)
        continue;
      emails++;
      if (step.dueOn > lastOn) lastOn = step.dueOn;
    }
  }
  return { emails, lastOn };
}

/** Wins: cases the data resolved since the last digest, after at least one of our emails went out. */
function winsOf(cases: readonly Case[], names: Map<string, string>, since: IsoDate, today: IsoDate) {
  return cases
    .filter((c) => c.status === 'resolved' && c.resolvedOn! > since && c.resolvedOn! <= today)
    .filter((c) => c.steps.some((s) => s.kind === 'email' && s.status === 'done'))
    .map((c) => ({ customerName: names.get(c.customerId) ?? c.customerId, play: c.playId }));
}

/**
 * Weekday digests: one per account owner and one per team lead. A digest with nothing to act on is not sent, and
 * the ledger makes sure the same digest never goes twice on one day.
 */
export async function sendDigests(
  deps: DigestDependencies,
  today: IsoDate,
): Promise<{ sent: number; skipped: number }> {
  const since = previousBusinessDay(today);
  // A task due on the last digest's day but recorded after it went out was not in it: it is new in this one.
  const lastDigestAt = localTimeToUtc(
    since,
    deps.settings.digestTime,
    deps.settings.defaultTimezone,
  ).toISOString();
  // With history: the growers KPI compares each customer's utilization with 30 days earlier. Cases finished before
  // the last digest are left behind (wins are the ones since), bar those a holdout comparison counts.
  const snapshot = await deps.store.load({ finishedSince: since });
  const present = snapshot.portfolioDate
    ? snapshot.customers.filter((c) => c.state.snapshotDate === snapshot.portfolioDate)
    : snapshot.customers;
  const stateOf = new Map(snapshot.customers.map((c) => [c.state.customerId, c.state]));
  const caseOf = new Map(snapshot.cases.map((c) => [c.caseId, c]));
  const names = new Map(snapshot.customers.map((c) => [c.state.customerId, c.state.customerName]));
  /** Reads by key the cases of these tasks that the load left behind: a task names its case's products. */
  const readCasesOf = async (tasks: readonly OwnerTask[]) => {
    for (const t of tasks) {
      if (t.caseId === null || caseOf.has(t.caseId)) continue;
      const found = await deps.store.getCase(t.customerId, t.caseId);
      if (found) caseOf.set(found.caseId, found);
    }
  };
  const locale = deps.settings.defaultLocale;
  const link = linkMaker(deps, await deps.secret(), today);
  const activity = new Map<string, OwnerActivity>();
  let sent = 0;
  let skipped = 0;
  let held = 0;

  const deliver = async (to: string, level: 1 | 2, data: DigestData, items: number) => {
    if (items === 0) {
      skipped++;
      return;
    }
    const messageId = createHash('sha256')
      .update(`digest|${level}|${to}|${today}`)
      .digest('hex')
      .slice(0, 32);
    const claim = await deps.ledger.claim(messageId, deps.now());
    if (claim !== 'claimed') {
      // Held by an invocation that may have died before sending: come back after its lease, do not drop it.
      if (claim === 'in-flight') held++;
      skipped++;
      return;
    }
    let providerId: string;
    try {
      const digest = deps.renderer.renderDigest({
        kind: level === 1 ? 'owner' : 'team',
        locale,
        data,
        brand: deps.settings.brand,
      });
      providerId = await deps.mailer.send({
        to,
        subject: digest.subject,
        html: digest.html,
        text: digest.text,
        unsubscribeUrl: null,
        tags: { digest: level === 1 ? 'owner' : 'team' },
      });
    } catch (error) {
      // SES did not accept it: give the claim back so the retry can send (else it is taken over after its lease).
      await deps.ledger.release(messageId).catch(() => undefined);
      throw error;
    }
    // Sent: the claim is kept even if the record fails (tried a few times); see the README's residual window.
    deps.events.record({ kind: 'digest', to, level, items }, deps.now());
    const recordError = await markSentPersistently(deps.ledger, messageId, providerId, deps.now());
    if (recordError !== undefined)
      throw new SentNotRecordedError(`SES accepted digest ${messageId} but the ledger was not written`, {
        cause: recordError,
      });
    sent++;
  };

  const owners = [...new Set(present.map((c) => c.state.ownerEmail))].sort();
  // A few owners at a time: each is a couple of task queries, a render and a send.
  await mapWithConcurrency(owners, OWNERS_IN_FLIGHT, async (owner) => {
    const mine = present.filter((c) => c.state.ownerEmail === owner);
    // One query for both lists: new since the last digest, and overdue (7 to 30 days old).
    const due = await deps.tasks.dueBetween(owner, addDays(today, -OVERDUE_LOOKBACK_DAYS), today);
    const fresh = due.filter(
      (t) => t.dueOn > since || (t.dueOn === since && t.addedAt !== undefined && t.addedAt > lastDigestAt),
    );
    const older = due.filter((t) => t.dueOn <= addDays(today, -OVERDUE_AFTER_DAYS));
    // Overdue while its case is open: a case left behind by the load is finished.
    const overdue = older.filter((t) => t.caseId !== null && caseOf.get(t.caseId)?.status === 'open');
    await readCasesOf(fresh);
    activity.set(owner, { owner, done: 0, snoozed: 0, overdue: overdue.length });
    const mineIds = new Set(mine.map((c) => c.state.customerId));
    // The load read the pause items with the customers: no read per owner.
    const paused = snapshot.pauses
      .filter((p) => mineIds.has(p.customerId) && p.until >= today)
      .sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    const myCases = snapshot.cases.filter((c) => mineIds.has(c.customerId));
    const wins = winsOf(myCases, names, since, today);
    const data: DigestData = {
      date: today,
      newTasks: fresh.map((t) =>
        digestTask(
          t,
          stateOf.get(t.customerId),
          t.caseId === null ? undefined : caseOf.get(t.caseId),
          true,
          false,
          link,
        ),
      ),
      overdueTasks: overdue.map((t) =>
        digestTask(
          t,
          stateOf.get(t.customerId),
          t.caseId === null ? undefined : caseOf.get(t.caseId),
          false,
          false,
          link,
        ),
      ),
      escalations: [],
      renewals: renewalsOf(mine, today),
      wins,
      kpis: portfolioKpis(mine),
      ingestProblems: [],
      paused: paused.map((p) => ({
        customerName: names.get(p.customerId) ?? p.customerId,
        until: p.until,
        resumeUrl: link('resume', owner, p.customerId, null),
      })),
      ownerActivity: [],
      waiting: waitingOf(myCases, today),
    };
    await deliver(owner, 1, data, fresh.length + overdue.length + wins.length);
  });

  // The ingest reports since the last digest and the week's owner actions, read at once.
  const reportDays: IsoDate[] = [];
  for (let day = addDays(since, 1); day <= today; day = addDays(day, 1)) reportDays.push(day);
  const [reportsByDay, actionRecords] = await Promise.all([
    mapWithConcurrency(reportDays, 7, (day) => deps.reports.processedOn(day)),
    deps.actions.recordedBetween(addDays(today, -6), today),
  ]);
  const reports = reportsByDay.flat();
  const problems = reports
    .filter((r) => r.status === 'rejected' || r.rejectedCount > 0)
    .map((r) => ({
      file: r.key,
      rows: r.rows,
      rejected: r.rejectedCount,
      error: r.error,
      reasons: r.firstRejections.slice(0, 5).map((x) => `line ${x.line}, ${x.column ?? '-'}: ${x.reason}`),
    }));
  // Per owner: tasks closed in the last 7 days, snoozed, and overdue today.
  for (const record of actionRecords) {
    const owner = activity.get(record.owner) ?? { owner: record.owner, done: 0, snoozed: 0, overdue: 0 };
    if (record.action === 'done' || record.action === 'wont-renew') owner.done++;
    if (record.action === 'snooze') owner.snoozed++;
    activity.set(record.owner, owner);
  }
  const ownerActivity = [...activity.values()]
    .filter((a) => a.done + a.snoozed + a.overdue > 0)
    .sort((a, b) => (a.owner < b.owner ? -1 : 1));
  for (const lead of deps.settings.escalationEmails) {
    const escalations = await deps.tasks.dueBetween(lead, addDays(since, 1), today);
    await readCasesOf(escalations);
    const data: DigestData = {
      date: today,
      newTasks: [],
      overdueTasks: [],
      escalations: escalations.map((t) =>
        digestTask(
          t,
          stateOf.get(t.customerId),
          t.caseId === null ? undefined : caseOf.get(t.caseId),
          false,
          true,
          link,
        ),
      ),
      renewals: renewalsOf(present, today).slice(0, 20),
      wins: winsOf(snapshot.cases, names, since, today),
      kpis: portfolioKpis(present),
      ingestProblems: problems,
      holdouts: holdoutsOfCases(snapshot.cases),
      paused: [],
      ownerActivity,
      waiting: waitingOf(snapshot.cases, today),
    };
    await deliver(lead, 2, data, escalations.length + problems.length);
  }
  if (held > 0)
    throw new ClaimHeldError(
      `${held} digest(s) claimed by another invocation; retry after the claim's lease`,
    );
  return { sent, skipped };
}
