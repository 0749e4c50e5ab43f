import type { CustomerState, UsagePoint } from '../domain/customer';
import type { IsoDate } from '../domain/dates';
import type { Case, CustomerRecord } from '../domain/engine/cases';
import type { CustomerPause } from './ownerActions';

/** Everything the nightly evaluation reads, in one pass over the portfolio. */
export interface PortfolioSnapshot {
  customers: CustomerRecord[];
  cases: Case[];
  suppressedEmails: Set<string>;
  /** The latest snapshot date of the portfolio; null before the first ingest. */
  portfolioDate: IsoDate | null;
  /** The customers' pauses the table holds (a pause item sits with its customer), ended ones included. */
  pauses: CustomerPause[];
}

export interface LoadOptions {
  /**
   * One shard of the portfolio: its customers with their cases, the suppressions of their admins and the
   * portfolio date. Without it, the whole portfolio.
   */
  shard?: { index: number; count: number };
  /** False leaves the customers' usage history behind (empty): the digests need states and cases only. */
  history?: boolean;
  /**
   * Leaves behind the cases that finished (resolved or closed) before this day, but for those of a play that held
   * any case out: its holdout comparison counts every case. Absent: every case. The digests need the open cases and
   * the recent wins; most of a year's cases are finished.
   */
  finishedSince?: IsoDate;
  /**
   * 'head': finished cases come without the steps that no longer hold a day of their admin. What the nightly
   * evaluation reads: a finished case only keeps its play from opening again for the term; its steps were most of
   * the scan's bytes. Absent: every case whole.
   */
  finishedCases?: 'head';
  /**
   * The customers the portfolio item counts, when the caller has read it: it sizes the whole portfolio's parallel
   * scan. Absent, the store reads it.
   */
  customers?: number;
}

/** What a step reads when its time comes, in one request: its case, the case's customer and the portfolio date. */
export interface StepContext {
  case: Case | null;
  customer: { state: CustomerState; history: UsagePoint[] } | null;
  portfolioDate: IsoDate | null;
  /** The customer's pause, ended or not (an ended one waits for TTL): the step checks its end. */
  pause: CustomerPause | null;
}

export interface PortfolioStore {
  load(options?: LoadOptions): Promise<PortfolioSnapshot>;
  saveCases(cases: readonly Case[]): Promise<void>;
  getCase(customerId: string, caseId: string): Promise<Case | null>;
  getCustomer(customerId: string): Promise<{ state: CustomerState; history: UsagePoint[] } | null>;
  portfolioDate(): Promise<IsoDate | null>;
  /** The case, its customer, the portfolio date and the customer's pause, read together and strongly consistent. */
  stepContext(customerId: string, caseId: string): Promise<StepContext>;
  /** How many customers the portfolio holds (an upper bound: it counts customers ever seen and not expired). */
  customerCount(): Promise<number>;
  /** Marks one step of a case done (after its email was sent or its task recorded). */
  markStepDone(customerId: string, caseId: string, index: number): Promise<void>;
  /** Moves a step still waiting to another day (the sweep made its lost schedule again); else changes nothing. */
  rescheduleStep(customerId: string, caseId: string, index: number, dueOn: IsoDate): Promise<void>;
  /** Marks one step of a case cancelled (its customer is paused): nothing else will carry it out. */
  markStepCancelled(customerId: string, caseId: string, index: number): Promise<void>;
}

export type Claim = 'claimed' | 'done' | 'in-flight';

/** The sent-message ledger: at most one send per message id, even when an invocation is repeated. */
export interface MessageLedger {
  claim(messageId: string, now: Date): Promise<Claim>;
  markSent(messageId: string, providerId: string, now: Date): Promise<void>;
  /** Gives a claim back after a failed send, so a retry can send. */
  release(messageId: string): Promise<void>;
}
