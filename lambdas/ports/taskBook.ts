import type { IsoDate } from '../domain/dates';

/** A "call this customer" item for an account owner (level 1) or the team leads (level 2). */
export interface OwnerTask {
  /** Deterministic, so recording the same task twice keeps one. */
  taskId: string;
  to: string;
  level: 1 | 2;
  customerId: string;
  caseId: string | null;
  /** The task id of the playbook (null for an escalation). */
  task: string | null;
  reason: string | null;
  dueOn: IsoDate;
  /**
   * When it was recorded (ISO time). A task recorded on its day after that day's digest (a bounce, an email step
   * that found its admin suppressed) is new in the next digest. Tasks recorded before this was kept have none.
   */
  addedAt?: string;
  /** Set when the owner marked it done (or closed the renewal as not renewing) from the digest. */
  doneOn?: IsoDate;
  /** Set when the owner snoozed it: the task now lives on this day, and this item only points there. */
  movedTo?: IsoDate;
}

export interface TaskBook {
  add(task: OwnerTask): Promise<'added' | 'already-there'>;
  /** Open tasks for a recipient due in [from, to], oldest first (done and moved tasks left out). */
  dueBetween(to: string, from: IsoDate, until: IsoDate): Promise<OwnerTask[]>;
  /** The task as it is now, following a snoozed task to where it moved; null when there is none. */
  find(to: string, dueOn: IsoDate, taskId: string): Promise<OwnerTask | null>;
  markDone(task: OwnerTask, on: IsoDate): Promise<void>;
  /** Moves a task to another day: the old item points to the new one, so links to it keep working. */
  moveTo(task: OwnerTask, dueOn: IsoDate): Promise<OwnerTask>;
}

/** Who looks after a customer: the account owner named in its latest snapshot. */
export interface CustomerDirectory {
  ownerOf(customerId: string): Promise<string | null>;
}
