import { createHash } from 'node:crypto';
import { hasAdmin } from '../domain/contacts/adminAddress';
import type { CustomerState } from '../domain/customer';

import { type IsoDate, todayIn } from '../domain/dates';
import { signUnsubscribeToken } from '../domain/delivery/unsubscribeToken';
import type { Case, CaseStep } from '../domain/engine/cases';
import { isHeldOut } from '../domain/engine/holdout';
import type { EmailTemplate } from '../domain/playbook/schema';
import type { EventLog } from '../ports/eventLog';
import { type Mailer, MailerThrottledError } from '../ports/mailer';
import type { MessageLedger, PortfolioStore } from '../ports/portfolioStore';
import type { SuppressionList } from '../ports/suppressionList';
import type { TaskBook } from '../ports/taskBook';
import type { EmailRenderer } from '../rendering/renderer';
import { sleep } from '../shared/concurrency';
import { emailDataOf } from './emailData';
import type { StepPayload } from './evaluatePortfolio';
import type { StepSettings } from './settings';

export interface StepDependencies {
  store: PortfolioStore;
  ledger: MessageLedger;
  suppressions: SuppressionList;
  tasks: TaskBook;
  /** Customers an owner paused: their steps send nothing and record nothing. */
  mailer: Mailer;
  renderer: EmailRenderer;
  events: EventLog;
  settings: StepSettings;
  secret: () => Promise<string>;
  now: () => Date;
}

export type StepOutcome =
  | 'sent'
  | 'already-sent'
  | 'task-recorded'
  | 'case-resolved'
  | 'step-not-scheduled'
  | 'case-missing'
  | 'stale-data'
  | 'suppressed'
  | 'no-admin'
  | 'held-out'
  | 'paused'
  | 'not-due-yet';

/** Thrown so the step is tried again later (it goes back on the send queue with a delay): nothing was sent this time. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

/**
 * Another invocation holds the email's claim (a duplicate running now, or one that died mid-send). Not a
 * success: the step comes back from the send queue, and once the claim's lease has run out it takes the claim over.
 */
export class ClaimHeldError extends RetryLaterError {
  override name = 'ClaimHeldError';
}

/**
 * SES accepted the email but recording it failed. The claim is kept, never released, so no retry sends it again
 * while the record exists in either place (the ledger or the case step); see "When things go wrong" in the README.
 */
export class SentNotRecordedError extends Error {
  override name = 'SentNotRecordedError';
}

const idOf = (...parts: (string | number)[]) =>
  createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);

/** The ledger's id of a step's email: the same for every invocation of the step. */
export const messageIdOf = (caseId: string, stepIndex: number) => idOf(caseId, stepIndex);

/** Tries of the ledger record after SES accepted: a short, explicit repeat of the record, never of the send. */
const RECORD_ATTEMPTS = 3;

/** Writes `sent` on an accepted message's claim, trying a few times; returns the last error, or undefined. */
export async function markSentPersistently(
  ledger: MessageLedger,
  messageId: string,
  providerId: string,
  now: Date,
): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
    try {
      await ledger.markSent(messageId, providerId, now);
      return undefined;
    } catch (error) {
      lastError = error;
      if (attempt < RECORD_ATTEMPTS) await sleep(100 * attempt);
    }
  }
  return lastError;
}

/**
 * One scheduled step, when its time comes. The case is read again first: a case resolved since the schedule was
 * made sends nothing, even if deleting the schedule failed. Emails go through the ledger (a conditional write on a
 * deterministic message id), so a duplicate invocation never sends twice; a claim held by another invocation
 * fails this one (ClaimHeldError), so the step comes back from the send queue instead of the email being dropped.
 */
export async function runStep(deps: StepDependencies, payload: StepPayload): Promise<StepOutcome> {
  const now = deps.now();
  const today: IsoDate = now.toISOString().slice(0, 10);
  const context = await deps.store.stepContext(payload.customerId, payload.caseId);
  const found = context.case;
  if (!found) return 'case-missing';
  const step = found.steps[payload.step];
  if (found.status === 'resolved') return 'case-resolved';
  if (step?.status !== 'scheduled') return 'step-not-scheduled';
  // An owner snoozed this task or escalation: a schedule of its old day that was not deleted does nothing.
  if (step.kind !== 'email' && step.dueOn > todayIn(deps.settings.defaultTimezone, now)) return 'not-due-yet';
  // An owner paused the customer, after this schedule was made: the step is dropped, not sent late.
  if (context.pause && context.pause.until >= today) {
    if (step.kind === 'email')
      deps.events.record(
        {
          kind: 'suppressed',
          customerId: found.customerId,
          play: found.playId,
          template: step.template ?? '',
          to: found.recipient,
          reason: 'customer-paused',
        },
        now,
      );
    await deps.store.markStepCancelled(found.customerId, found.caseId, step.index);
    return 'paused';
  }
  const { customer, portfolioDate } = context;
  if (!customer) return 'case-missing';
  const { state, history } = customer;

  if (step.kind !== 'email') {
    await recordTask(deps, found.customerId, found.caseId, found.playId, step, state.ownerEmail, today, now);
    await deps.store.markStepDone(found.customerId, found.caseId, step.index);
    return 'task-recorded';
  }

  const template = step.template as EmailTemplate;
  // Absent from the latest export: no email on stale data.
  if (portfolioDate && state.snapshotDate < portfolioDate) {
    deps.events.record(
      {
        kind: 'suppressed',
        customerId: found.customerId,
        play: found.playId,
        template,
        to: state.adminEmail,
        reason: 'absent-from-latest-snapshot',
      },
      now,
    );
    return 'stale-data';
  }
  if (!hasAdmin(state)) return askForContact(deps, found, step, state.ownerEmail, today, now);
  if (await deps.suppressions.isSuppressed(state.adminEmail)) {
    deps.events.record(
      {
        kind: 'suppressed',
        customerId: found.customerId,
        play: found.playId,
        template,
        to: state.adminEmail,
        reason: 'recipient-suppressed',
      },
      now,
    );
    const callInstead: CaseStep = {
      ...step,
      kind: 'task',
      task: 'call-admin-suppressed',
      level: 1,
      template: null,
      variant: null,
    };
    await recordTask(
      deps,
      found.customerId,
      found.caseId,
      found.playId,
      callInstead,
      state.ownerEmail,
      today,
      now,
    );
    await deps.store.markStepDone(found.customerId, found.caseId, step.index);
    return 'suppressed';
  }

  // In the play's holdout group: recorded as the email it would have been, and not sent.
  if (isHeldOut(found)) return holdBack(deps, found, step, state, now);
  const messageId = messageIdOf(found.caseId, step.index);
  const claim = await deps.ledger.claim(messageId, now);
  if (claim === 'done') {
    // Sent before, but the step was not marked: mark it now so nothing waits on it.
    await deps.store.markStepDone(found.customerId, found.caseId, step.index);
    return 'already-sent';
  }
  if (claim === 'in-flight')
    throw new ClaimHeldError(
      `another invocation holds the claim of message ${messageId}; retry after its lease`,
    );
  let providerId: string;
  try {
    const token = signUnsubscribeToken(
      { email: state.adminEmail, customerId: state.customerId, locale: state.locale, issuedOn: today },
      await deps.secret(),
    );
    const unsubscribeUrl = `${deps.settings.unsubscribeBaseUrl.replace(/\/$/, '')}/u/${token}`;
    const email = deps.renderer.renderEmail({
      template,
      variant: step.variant,
      locale: state.locale,
      data: emailDataOf(state, history, today, unsubscribeUrl, found),
      brand: deps.settings.brand,
    });
    providerId = await deps.mailer.send({
      to: state.adminEmail,
      subject: email.subject,
      html: email.html,
      text: email.text,
      unsubscribeUrl,
      tags: { customerId: state.customerId, play: found.playId, template },
    });
  } catch (error) {
    // SES did not accept it, so nothing was sent: give the claim back so the retry can send. A claim that cannot
    // be given back now is taken over after its lease; the error worth reporting is the first one.
    await deps.ledger.release(messageId).catch(() => undefined);
    if (error instanceof MailerThrottledError)
      throw new RetryLaterError('SES is throttling; retry later', { cause: error });
    throw error;
  }
  // From here on the email is out: whatever fails, the claim stays and nothing sends it again.
  deps.events.record(
    {
      kind: 'email',
      customerId: found.customerId,
      play: found.playId,
      template,
      variant: step.variant,
      to: state.adminEmail,
      locale: state.locale,
      caseId: found.caseId,
    },
    now,
  );
  await recordSent(deps, messageId, providerId, found.customerId, found.caseId, step.index, now);
  return 'sent';
}

/**
 * Records an accepted email in two independent places: the ledger (its claim becomes `sent`) and the case step
 * (`done`, which every later invocation checks first). Either one keeps retries from sending again, so the
 * ledger record is repeated a few times and the step is marked even when the ledger could not be written.
 * Residual window: if both writes fail (or the function dies between SES's answer and the first write), the
 * claim stays `sending`, and once its lease runs out a retry takes it over and sends a second time; so does a
 * send whose answer was lost on the way back (SES accepted, the call timed out). SES takes no idempotency key,
 * so nothing else could tell; the alternative, never taking a claim over, would lose every email whose
 * invocation died before the send.
 */
async function recordSent(
  deps: StepDependencies,
  messageId: string,
  providerId: string,
  customerId: string,
  caseId: string,
  stepIndex: number,
  now: Date,
): Promise<void> {
  const ledgerError = await markSentPersistently(deps.ledger, messageId, providerId, now);
  const what = `SES accepted message ${messageId} (${providerId})`;
  try {
    await deps.store.markStepDone(customerId, caseId, stepIndex);
  } catch (error) {
    // With the ledger written, a retry finds the claim `sent` and marks the step then.
    if (ledgerError === undefined) throw error;
    throw new SentNotRecordedError(`${what}; neither the ledger nor the case step took the record`, {
      cause: error,
    });
  }
  // The step is marked, so retries send nothing; failing still shows the operator the ledger fault.
  if (ledgerError !== undefined)
    throw new SentNotRecordedError(`${what}; the case step is marked but the ledger was not written`, {
      cause: ledgerError,
    });
}

async function recordTask(
  deps: StepDependencies,
  customerId: string,
  caseId: string,
  playId: string,
  step: CaseStep,
  ownerEmail: string,
  today: IsoDate,
  now: Date,
): Promise<void> {
  const level = step.kind === 'escalation' ? 2 : 1;
  const leads = deps.settings.escalationEmails;
  const recipients = level === 2 && leads.length > 0 ? leads : [ownerEmail];
  for (const to of recipients) {
    const added = await deps.tasks.add({
      taskId: idOf(caseId, step.index, step.task ?? 'escalation', to),
      to,
      level,
      customerId,
      caseId,
      task: step.kind === 'escalation' ? null : step.task,
      reason: step.reason,
      dueOn: today,
      addedAt: now.toISOString(),
    });
    if (added === 'added')
      deps.events.record(
        {
          kind: 'task',
          customerId,
          play: playId,
          task: step.kind === 'escalation' ? null : step.task,
          level,
          to,
          caseId,
        },
        now,
      );
  }
}

/**
 * An email step of a customer whose admin nobody names: nothing is sent, and the owner is asked once for an
 * address (a `fix-contact` task), not at every email the playbook has for the customer. The ledger remembers the
 * ask, as it remembers sends, for the retention period.
 */
async function askForContact(
  deps: StepDependencies,
  found: Case,
  step: CaseStep,
  ownerEmail: string,
  today: IsoDate,
  now: Date,
): Promise<StepOutcome> {
  const template = step.template as EmailTemplate;
  deps.events.record(
    {
      kind: 'suppressed',
      customerId: found.customerId,
      play: found.playId,
      template,
      to: '',
      reason: 'no-admin-address',
    },
    now,
  );
  const askId = idOf('fix-contact', 'no-admin', found.customerId);
  if ((await deps.ledger.claim(askId, now)) === 'claimed') {
    const fixContact: CaseStep = {
      ...step,
      kind: 'task',
      task: 'fix-contact',
      level: 1,
      template: null,
      variant: null,
      reason: 'no-admin-address',
    };
    try {
      await recordTask(
        deps,
        found.customerId,
        found.caseId,
        found.playId,
        fixContact,
        ownerEmail,
        today,
        now,
      );
    } catch (error) {
      // Asked for nothing after all: the retry asks.
      await deps.ledger.release(askId);
      throw error;
    }
    await deps.ledger.markSent(askId, 'fix-contact-task', now);
  }
  await deps.store.markStepDone(found.customerId, found.caseId, step.index);
  return 'no-admin';
}

/** A held-out customer's email step: the `held-out` event carries what the `email` event would have. */
async function holdBack(
  deps: StepDependencies,
  found: Case,
  step: CaseStep,
  state: CustomerState,
  now: Date,
): Promise<StepOutcome> {
  deps.events.record(
    {
      kind: 'held-out',
      customerId: found.customerId,
      play: found.playId,
      template: step.template!,
      variant: step.variant,
      to: state.adminEmail,
      locale: state.locale,
      caseId: found.caseId,
    },
    now,
  );
  await deps.store.markStepDone(found.customerId, found.caseId, step.index);
  return 'held-out';
}
