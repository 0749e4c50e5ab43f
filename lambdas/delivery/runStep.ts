import { createHash } from 'node:crypto';
import type { IsoDate } from '../domain/dates';
import { signUnsubscribeToken } from '../domain/delivery/unsubscribeToken';
import type { CaseStep } from '../domain/engine/cases';
import type { EmailTemplate } from '../domain/playbook/schema';
import type { EventLog } from '../ports/eventLog';
import { type Mailer, MailerThrottledError } from '../ports/mailer';
import type { MessageLedger, PortfolioStore } from '../ports/portfolioStore';
import type { SuppressionList } from '../ports/suppressionList';
import type { TaskBook } from '../ports/taskBook';
import type { EmailRenderer } from '../rendering/renderer';
import { emailDataOf } from './emailData';
import type { StepPayload } from './evaluatePortfolio';
import type { DeliverySettings } from './settings';

export interface StepDependencies {
  store: PortfolioStore;
  ledger: MessageLedger;
  suppressions: SuppressionList;
  tasks: TaskBook;
  mailer: Mailer;
  renderer: EmailRenderer;
  events: EventLog;
  settings: DeliverySettings;
  secret: () => Promise<string>;
  now: () => Date;
}

export type StepOutcome =
  | 'sent'
  | 'already-sent'
  | 'in-flight'
  | 'task-recorded'
  | 'case-resolved'
  | 'step-not-scheduled'
  | 'case-missing'
  | 'stale-data'
  | 'suppressed';

/** Thrown so the scheduler retries the invocation later (its retry policy), when SES asked us to slow down. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

const idOf = (...parts: (string | number)[]) =>
  createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);

/**
 * One scheduled step, when its time comes. The case is read again first: a case resolved since the schedule was
 * made sends nothing, even if deleting the schedule failed. Emails go through the ledger (a conditional write on a
 * deterministic message id), so a duplicate invocation never sends twice.
 */
export async function runStep(deps: StepDependencies, payload: StepPayload): Promise<StepOutcome> {
  const now = deps.now();
  const today: IsoDate = now.toISOString().slice(0, 10);
  const found = await deps.store.getCase(payload.customerId, payload.caseId);
  if (!found) return 'case-missing';
  const step = found.steps[payload.step];
  if (found.status === 'resolved') return 'case-resolved';
  if (step?.status !== 'scheduled') return 'step-not-scheduled';
  const [customer, portfolioDate] = await Promise.all([
    deps.store.getCustomer(payload.customerId),
    deps.store.portfolioDate(),
  ]);
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

  const messageId = idOf(found.caseId, step.index);
  const claim = await deps.ledger.claim(messageId, now);
  if (claim === 'done') return 'already-sent';
  if (claim === 'in-flight') return 'in-flight';
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
      data: emailDataOf(state, history, today, unsubscribeUrl),
      brand: deps.settings.brand,
    });
    const providerId = await deps.mailer.send({
      to: state.adminEmail,
      subject: email.subject,
      html: email.html,
      text: email.text,
      unsubscribeUrl,
      tags: { customerId: state.customerId, play: found.playId, template },
    });
    await deps.ledger.markSent(messageId, providerId, now);
  } catch (error) {
    // Nothing was sent: give the claim back so the retry can send.
    await deps.ledger.release(messageId);
    if (error instanceof MailerThrottledError)
      throw new RetryLaterError('SES is throttling; retry later', { cause: error });
    throw error;
  }
  await deps.store.markStepDone(found.customerId, found.caseId, step.index);
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
  return 'sent';
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
  const recipients = level === 2 ? deps.settings.escalationEmails : [ownerEmail];
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
