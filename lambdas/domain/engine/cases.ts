import type { CustomerState, UsagePoint } from '../customer';
import type { IsoDate } from '../dates';

/** What the nightly evaluation knows of one customer: its latest state, recent history, first sighting. */
export interface CustomerRecord {
  state: CustomerState;
  /** Earlier nights, oldest first (the latest state may or may not be the last point). */
  history: UsagePoint[];
  /** The first snapshot date on which the system saw this customer. */
  firstSeen: IsoDate;
}

/**
 * scheduled: waiting for its day; skipped: its day had passed when the play opened (no backfill);
 * cancelled: the case resolved or expired first; suppressed: an email the admin must not get (a task replaces it);
 * done: delivery carried it out.
 */
export type StepStatus = 'scheduled' | 'skipped' | 'cancelled' | 'suppressed' | 'done';

export interface CaseStep {
  index: number;
  kind: 'email' | 'task' | 'escalation';
  /** Email steps: the template and its variant (null when the template has a single form). */
  template: string | null;
  variant: string | null;
  /** Task steps: the task id; null for emails and escalations. */
  task: string | null;
  /** Escalations: why the team lead should look. */
  reason: string | null;
  /** 0 the customer's admin, 1 the account owner, 2 the team lead(s). */
  level: 0 | 1 | 2;
  dueOn: IsoDate;
  status: StepStatus;
  /**
   * Email steps the sending quota moved: the day the email would have gone had the quota left room. Counted in
   * the digests as emails waiting.
   */
  heldFrom?: IsoDate;
}

export interface Case {
  /** Stable across nights: customer + play + term (+ opening day for plays that repeat within a term). */
  caseId: string;
  customerId: string;
  playId: string;
  priority: number;
  /**
   * The term the case belongs to: its term_end (renewal and win-back: that subscription term; adoption plays: the
   * customer's adoption term), or ROLLING_TERM when every line is monthly.
   */
  termEnd: IsoDate;
  /** Renewal and win-back: how later exports recognise the term's lines (lineKeyOf), to tell a renewal. */
  lineKeys?: string[];
  openedOn: IsoDate;
  /** The day step offsets count from. */
  anchorOn: IsoDate;
  /** After this day an unresolved case closes and its remaining steps are cancelled. */
  expiresOn: IsoDate;
  status: 'open' | 'resolved' | 'closed';
  resolvedOn: IsoDate | null;
  closedOn: IsoDate | null;
  /** Why an owner closed the case from the digest ('wont-renew': the customer told them it will not renew). */
  outcome?: 'wont-renew';
  /** The admin address the case's emails were planned for. */
  recipient: string;
  /** Utilization 30 days before the case opened, for "back to where it was" resolutions. */
  baselineUtilization: number | null;
  /** The customer is in the play's holdout group: the case's emails are recorded as held out, not sent. */
  heldOut?: boolean;
  steps: CaseStep[];
}

export type DomainEvent =
  | { kind: 'case-opened'; customerId: string; play: string; caseId: string }
  | { kind: 'case-resolved'; customerId: string; play: string; caseId: string }
  | {
      kind: 'suppressed';
      customerId: string;
      play: string;
      template: string;
      to: string;
      reason: string;
      caseId: string;
    };

/** The term key of a customer whose lines are all monthly: no term_end to key its cases by. */
export const ROLLING_TERM = 'rolling';

export function caseIdOf(customerId: string, playId: string, termEnd: IsoDate, openedOn?: IsoDate): string {
  return openedOn ? `${customerId}#${playId}#${termEnd}#${openedOn}` : `${customerId}#${playId}#${termEnd}`;
}
