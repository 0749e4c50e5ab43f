import { createHash } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { DynamoCustomerDirectory, DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import type { SuppressionList } from '../ports/suppressionList';
import type { CustomerDirectory, TaskBook } from '../ports/taskBook';
import { lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { maskEmail } from '../shared/privacy';

/** The part of an SES event (configuration set → EventBridge) that matters here. */
export interface SesEventDetail {
  eventType: 'Bounce' | 'Complaint' | string;
  mail: { messageId: string; tags?: Record<string, string[]> };
  bounce?: {
    bounceType: 'Permanent' | 'Transient' | 'Undetermined';
    bouncedRecipients: { emailAddress: string }[];
  };
  complaint?: { complainedRecipients: { emailAddress: string }[] };
}

export interface SesEventsDependencies {
  suppressions: SuppressionList;
  tasks: TaskBook;
  customers: CustomerDirectory;
  now?: () => Date;
}

/**
 * A hard bounce or a complaint suppresses the address for good and gives the account owner a task to fix the
 * admin's contact. Transient bounces pass: SES retries those itself.
 */
export function createSesEventsHandler(deps: SesEventsDependencies) {
  return async (event: EventBridgeEvent<string, SesEventDetail>): Promise<{ suppressed: number }> => {
    const { detail } = event;
    const now = (deps.now ?? (() => new Date()))();
    let reason: 'bounced' | 'complained';
    let recipients: string[];
    if (detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent') {
      reason = 'bounced';
      recipients = detail.bounce.bouncedRecipients.map((r) => r.emailAddress);
    } else if (detail.eventType === 'Complaint' && detail.complaint) {
      reason = 'complained';
      recipients = detail.complaint.complainedRecipients.map((r) => r.emailAddress);
    } else {
      return { suppressed: 0 };
    }
    const customerId = detail.mail.tags?.customerId?.[0] ?? null;
    const owner = customerId ? await deps.customers.ownerOf(customerId) : null;
    for (const email of recipients) {
      await deps.suppressions.suppress(email, reason, now);
      if (customerId && owner) {
        const taskId = createHash('sha256')
          .update(`fix-contact|${detail.mail.messageId}|${email}`)
          .digest('hex')
          .slice(0, 24);
        await deps.tasks.add({
          taskId,
          to: owner,
          level: 1,
          customerId,
          caseId: null,
          task: 'fix-contact',
          reason,
          dueOn: now.toISOString().slice(0, 10),
          addedAt: now.toISOString(),
        });
      }
      logger.info('address suppressed', { email: maskEmail(email), reason, customerId });
    }
    return { suppressed: recipients.length };
  };
}

/** The SES events function's composition root. */
export function sesEventsRoot(input: RootInput<'sesEvents', 'dynamodb'>): SesEventsDependencies {
  const { environment: e, settings: s, clients } = input;
  return {
    suppressions: new DynamoSuppressionList(clients.dynamodb, e.PORTFOLIO_TABLE),
    tasks: new DynamoTaskBook(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
    customers: new DynamoCustomerDirectory(clients.dynamodb, e.PORTFOLIO_TABLE),
    ...(input.now ? { now: input.now } : {}),
  };
}

export const handler = onColdStart(() =>
  createSesEventsHandler(sesEventsRoot(lambdaInput('sesEvents', { dynamodb: lambdaDocumentClient() }))),
);
