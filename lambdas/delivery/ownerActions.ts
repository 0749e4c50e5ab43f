import { createHash } from 'node:crypto';
import { normalizeAddress } from '../domain/address';
import { addDays, type IsoDate } from '../domain/dates';
import { ACTION_TOKEN_DAYS, type ActionClaims } from '../domain/delivery/actionToken';
import { scheduleName } from '../domain/delivery/scheduleName';
import type { Case, CaseStep } from '../domain/engine/cases';
import type { EventLog } from '../ports/eventLog';
import type { OwnerActionBook } from '../ports/ownerActions';
import type { PortfolioStore } from '../ports/portfolioStore';
import type { Scheduler } from '../ports/scheduler';
import type { OwnerTask, TaskBook } from '../ports/taskBook';
import { type StepPayload, stepScheduleName } from './evaluatePortfolio';
import type { DeliverySettings } from './settings';

export interface OwnerActionDependencies {
  store: PortfolioStore;
  tasks: TaskBook;
  actions: OwnerActionBook;
  scheduler: Scheduler;
  events: EventLog;
  settings: DeliverySettings;
  now: () => Date;
}

/** How far Snooze moves a task and its escalation, and how long Pause holds a customer by default. */
export const SNOOZE_DAYS = 7;
export const PAUSE_DAYS = 30;

/** What the page tells the person who clicked. */
export type ActionOutcome =
  | { kind: 'done' | 'wont-renew' }
  | { kind: 'snoozed'; until: IsoDate }
  | { kind: 'paused'; until: IsoDate }
  | { kind: 'resumed' }
  /** The task is gone (expired, or never existed), or the customer is not paused: nothing to act on. */
  | { kind: 'gone' }
  /** The link was used before: a replay changes nothing. */
  | { kind: 'used' }
  /** The task was closed already (Done, Won't renew): nothing more to do. */
  | { kind: 'closed' };

/** What a link is about, for its confirmation page: the customer's name, and whether there is anything to act on. */
export async function describeAction(
  deps: Pick<OwnerActionDependencies, 'store' | 'tasks' | 'actions'>,
  claims: ActionClaims,
  today: IsoDate,
): Promise<{ customerName: string; actionable: boolean }> {
  const customer = await deps.store.getCustomer(claims.customerId);
  const customerName = customer?.state.customerName ?? claims.customerId;
  if (claims.action === 'resume')
    return { customerName, actionable: (await deps.actions.pauseOf(claims.customerId, today)) !== null };
  if (isCustomerPause(claims)) return { customerName, actionable: customer !== null };
  const task = await taskOf(deps.tasks, claims);
  return { customerName, actionable: task !== null && !task.doneOn };
}

/** A Pause of the customer itself, not from a task (`clm customer pause`). */
const isCustomerPause = (claims: ActionClaims) => claims.action === 'pause' && claims.task === null;

async function taskOf(tasks: TaskBook, claims: ActionClaims): Promise<OwnerTask | null> {
  if (!claims.task) return null;
  const task = await tasks.find(claims.task.to, claims.task.dueOn, claims.task.taskId);
  // A token is bound to the task and the address it was sent to: a task of someone else is not this link's.
  if (!task || task.customerId !== claims.customerId) return null;
  if (normalizeAddress(task.to) !== normalizeAddress(claims.by)) return null;
  return task;
}

/** A token's identity in the spent-token record: its hash, so the record holds nothing usable. */
export const tokenIdOf = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 40);

/**
 * Carries out one action from a digest link (a POST). The task must still exist; the token is spent before
 * anything changes, so a second POST of the same link changes nothing, and given back if the action fails, so a
 * retry can act. Every action is recorded (who, what, when) for the team digest and written to the event log.
 */
export async function performAction(
  deps: OwnerActionDependencies,
  claims: ActionClaims,
  token: string,
  options: { days?: number } = {},
): Promise<ActionOutcome> {
  const at = deps.now();
  const today = at.toISOString().slice(0, 10);
  const onCustomer = claims.action === 'resume' || isCustomerPause(claims);
  const task = onCustomer ? null : await taskOf(deps.tasks, claims);
  if (!onCustomer) {
    if (!task) return { kind: 'gone' };
    if (task.doneOn) return { kind: 'closed' };
  } else if (claims.action === 'resume') {
    if (!(await deps.actions.pauseOf(claims.customerId, today))) return { kind: 'gone' };
  } else if (!(await deps.store.getCustomer(claims.customerId))) return { kind: 'gone' };
  const tokenId = tokenIdOf(token);
  if ((await deps.actions.spend(tokenId, addDays(claims.issuedOn, ACTION_TOKEN_DAYS), at)) === 'used')
    return { kind: 'used' };
  try {
    const outcome = await act(deps, claims, task, today, claims.days ?? options.days ?? PAUSE_DAYS);
    await deps.actions.record({
      action: claims.action,
      by: claims.by,
      customerId: claims.customerId,
      caseId: task?.caseId ?? null,
      taskId: task?.taskId ?? null,
      owner: task?.to ?? claims.by,
      at: at.toISOString(),
    });
    const kind =
      claims.action === 'snooze'
        ? 'task-snoozed'
        : claims.action === 'pause'
          ? 'customer-paused'
          : claims.action === 'resume'
            ? 'customer-resumed'
            : 'task-done';
    deps.events.record(
      {
        kind,
        customerId: claims.customerId,
        ...(task?.caseId ? { caseId: task.caseId } : {}),
        by: claims.by,
      },
      at,
    );
    return outcome;
  } catch (error) {
    await deps.actions.unspend(tokenId);
    throw error;
  }
}

async function act(
  deps: OwnerActionDependencies,
  claims: ActionClaims,
  task: OwnerTask | null,
  today: IsoDate,
  days: number,
): Promise<ActionOutcome> {
  switch (claims.action) {
    case 'done':
      await deps.tasks.markDone(task!, today);
      await changeCase(deps, task!, today, (c) => cancelSteps(c, (s) => s.kind === 'escalation'));
      return { kind: 'done' };
    case 'wont-renew':
      await deps.tasks.markDone(task!, today);
      // The renewal case closes with its outcome: no more renewal emails. Win-back is its own play and still goes.
      await changeCase(deps, task!, today, (c) =>
        c.playId === 'renewal' && c.status === 'open'
          ? { ...cancelSteps(c, () => true), status: 'closed', closedOn: today, outcome: 'wont-renew' }
          : null,
      );
      return { kind: 'wont-renew' };
    case 'snooze': {
      const until = addDays(task!.dueOn > today ? task!.dueOn : today, SNOOZE_DAYS);
      await deps.tasks.moveTo(task!, until);
      await snoozeEscalation(deps, task!, today);
      return { kind: 'snoozed', until };
    }
    case 'pause': {
      const until = addDays(today, days - 1);
      await deps.actions.pause({ customerId: claims.customerId, until, by: claims.by }, deps.now());
      return { kind: 'paused', until };
    }
    case 'resume':
      await deps.actions.resume(claims.customerId);
      return { kind: 'resumed' };
  }
}

/** Scheduled steps matching `which` become cancelled. */
function cancelSteps(c: Case, which: (step: CaseStep) => boolean): Case {
  return {
    ...c,
    steps: c.steps.map((s) => (s.status === 'scheduled' && which(s) ? { ...s, status: 'cancelled' } : s)),
  };
}

/**
 * The schedule of a step an owner moved: a name of its own (the step's first schedule may still exist, or its
 * name may be taken for a while after deletion), with the new day in it.
 */
export const movedStepScheduleName = (c: Pick<Case, 'caseId'>, step: Pick<CaseStep, 'index' | 'dueOn'>) =>
  scheduleName('step', c.caseId, String(step.index), step.dueOn);

/** Applies `change` to the task's case and deletes the schedules of the steps it cancelled. */
async function changeCase(
  deps: OwnerActionDependencies,
  task: OwnerTask,
  _today: IsoDate,
  change: (c: Case) => Case | null,
): Promise<void> {
  if (!task.caseId) return;
  const c = await deps.store.getCase(task.customerId, task.caseId);
  if (!c) return;
  const changed = change(c);
  if (!changed) return;
  await deps.store.saveCases([changed]);
  const cancelled = changed.steps.filter(
    (s, i) => s.status === 'cancelled' && c.steps[i]?.status === 'scheduled',
  );
  // The step re-checks its case, so a schedule that could not be deleted sends nothing.
  for (const step of cancelled) {
    await deps.scheduler.cancel(stepScheduleName(c, step));
    await deps.scheduler.cancel(movedStepScheduleName(c, step));
  }
}

/** The case's escalation still ahead moves by a week too: the team lead hears of it a week later. */
async function snoozeEscalation(
  deps: OwnerActionDependencies,
  task: OwnerTask,
  today: IsoDate,
): Promise<void> {
  if (!task.caseId || task.level !== 1) return;
  const c = await deps.store.getCase(task.customerId, task.caseId);
  if (c?.status !== 'open') return;
  const ahead = c.steps.filter(
    (s) => s.kind === 'escalation' && s.status === 'scheduled' && s.dueOn >= today,
  );
  if (ahead.length === 0) return;
  const moved = c.steps.map((s) => (ahead.includes(s) ? { ...s, dueOn: addDays(s.dueOn, SNOOZE_DAYS) } : s));
  const { taskTime: time, defaultTimezone: timeZone } = deps.settings;
  for (const step of ahead) {
    const next = moved[step.index]!;
    await deps.scheduler.scheduleOnce({
      name: movedStepScheduleName(c, next),
      date: next.dueOn,
      time,
      timeZone,
      payload: { customerId: c.customerId, caseId: c.caseId, step: step.index } satisfies StepPayload,
    });
  }
  await deps.store.saveCases([{ ...c, steps: moved }]);
  for (const step of ahead) {
    await deps.scheduler.cancel(stepScheduleName(c, step));
    await deps.scheduler.cancel(movedStepScheduleName(c, step));
  }
}
