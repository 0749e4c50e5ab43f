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
}

export interface TaskBook {
  add(task: OwnerTask): Promise<'added' | 'already-there'>;
  /** Tasks for a recipient due in [from, to], oldest first. */
  dueBetween(to: string, from: IsoDate, until: IsoDate): Promise<OwnerTask[]>;
}

/** Who looks after a customer: the account owner named in its latest snapshot. */
export interface CustomerDirectory {
  ownerOf(customerId: string): Promise<string | null>;
}
