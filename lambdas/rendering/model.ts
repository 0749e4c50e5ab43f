import type { IsoDate } from '../domain/dates';
import type { OwnerAction } from '../domain/delivery/actionToken';
import type { HoldoutComparison } from '../domain/engine/holdout';
import type { Locale } from '../domain/locales';
import type { PortfolioKpis } from '../domain/metrics';
import type { EmailTemplate } from '../domain/playbook/schema';

import type { Brand } from './brand';

export type { Brand };

export interface ProductSeats {
  name: string;
  purchased: number;
  assigned: number;
  /** Null when the export does not say: shown as a dash, never as a number. */
  active: number | null;
}

/** What a customer email says about the customer; the renderer formats every number and date per locale. */
export interface CustomerEmailData {
  customerName: string;
  adminName: string | null;
  products: ProductSeats[];
  seatsPurchased: number;
  seatsAssigned: number;
  /** Null when the export does not say how many users are active. */
  activeUsers: number | null;
  utilizationPct: number | null;
  /** Utilization 30 days earlier (the progress email). */
  utilizationBeforePct: number | null;
  /** Null for a customer whose lines are all monthly (no renewal date). */
  termEnd: IsoDate | null;
  daysToTermEnd: number | null;
  unsubscribeUrl: string;
}

export interface EmailRequest {
  template: EmailTemplate;
  variant: string | null;
  locale: Locale;
  data: CustomerEmailData;
  brand: Brand;
}

export interface DigestTask {
  /** A task id, or null for an escalation. */
  task: string | null;
  reason: string | null;
  customerName: string;
  contactName: string | null;
  email: string;
  /** The admin before an admin change (name and address as the export wrote them), for the new-admin call. */
  previousContact: string | null;
  phone: string | null;
  dueOn: IsoDate;
  products: ProductSeats[];
  utilizationPct: number | null;
  /** The account owner, shown in the team digest. */
  ownerEmail: string | null;
  /** Call talking points are shown for new tasks. */
  withTalkingPoints: boolean;
  /** The task ID `clm task done|snooze` takes (see domain/delivery/taskCode). */
  taskCode: string;
  /** Signed links that act on the task (Done, Snooze, Pause, Won't renew); empty where links are not set up. */
  actions: { action: OwnerAction; url: string }[];
}

/** A customer an owner paused, listed in the owner's digest with a link to resume it. */
export interface PausedCustomer {
  customerName: string;
  until: IsoDate;
  resumeUrl: string | null;
}

/** What one owner did with their tasks, for the team digest. */
export interface OwnerActivity {
  owner: string;
  /** Tasks marked done (or closed as not renewing) in the last 7 days. */
  done: number;
  snoozed: number;
  overdue: number;
}

export interface DigestData {
  date: IsoDate;
  newTasks: DigestTask[];
  overdueTasks: DigestTask[];
  escalations: DigestTask[];
  renewals: { customerName: string; termEnd: IsoDate; seats: number; utilizationPct: number | null }[];
  wins: { customerName: string; play: string }[];
  kpis: PortfolioKpis | null;
  ingestProblems: { file: string; rows: number; rejected: number; error: string | null; reasons: string[] }[];
  /** Team digest: per play with a holdout, emailed against held-out customers' cases. */
  holdouts?: HoldoutComparison[];
  paused: PausedCustomer[];
  ownerActivity: OwnerActivity[];
  /** Customer emails the sending quota moved to a later day and not yet sent (the owner's, or all). */
  waiting?: { emails: number; lastOn: IsoDate };
}

export interface DigestRequest {
  kind: 'owner' | 'team';
  locale: Locale;
  data: DigestData;
  brand: Brand;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** A template that cannot be filled: raised in tests and previews, never papered over at send time. */
export class TemplateRenderError extends Error {
  override name = 'TemplateRenderError';
  constructor(
    readonly template: string,
    readonly locale: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${template} (${locale}): ${message}`, options);
  }
}
