import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoMessageLedger } from '../adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { sesMailerOf } from '../adapters/ses/sesMailer';
import { SesSendingQuota } from '../adapters/ses/sesSendingQuota';
import { SqsSendQueue } from '../adapters/sqs/sqsSendQueue';
import type { StepPayload } from '../delivery/evaluatePortfolio';
import { PacedMailer, WALL_CLOCK } from '../delivery/pacedMailer';
import { runStep, type StepDependencies } from '../delivery/runStep';
import { waitOf } from '../delivery/sendLater';
import type { SendQueue } from '../ports/sendQueue';
import { EMAIL_TEMPLATES } from '../rendering/compiledTemplates';
import { EmailRenderer } from '../rendering/renderer';
import { CLIENT_CONFIG, lambdaDocumentClient, SENDER_SES_CONFIG } from '../shared/awsClients';
import { mapWithConcurrency } from '../shared/concurrency';
import { lambdaInput, onColdStart, portfolioStoreOf, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { PowertoolsEventLog, publishMetrics } from '../shared/observability';
import { DEFAULT_SENDER_CONCURRENCY, deliverySettingsOf } from '../shared/settings';

/** Steps of one batch in flight at once: rendering and the ledger overlap while the pacer spaces the sends. */
const STEPS_IN_FLIGHT = 4;

/** The payload the evaluator put on the schedule; anything else is refused before it reaches a customer. */
export function stepPayloadOf(event: unknown): StepPayload {
  const { customerId, caseId, step } = (event ?? {}) as Record<string, unknown>;
  if (typeof customerId !== 'string' || customerId === '' || typeof caseId !== 'string' || caseId === '')
    throw new TypeError('step payload needs customerId and caseId');
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0)
    throw new TypeError('step payload needs a step index');
  return { customerId, caseId, step };
}

/** What the sender runs: the step itself, the queue a waiting step goes back to, and the jitter's dice. */
export interface SenderDependencies {
  step: StepDependencies;
  queue: SendQueue;
  random: () => number;
  /** Steps of a batch handled at once. */
  stepsInFlight: number;
}

/** The step function's composition root. */
export function stepRoot(
  input: RootInput<'step', 'dynamodb' | 'ses' | 'secrets' | 'sqs'>,
): SenderDependencies {
  const { environment: e, settings: s, clients } = input;
  const clock = input.sleep
    ? { now: () => (input.now ?? (() => new Date()))().getTime(), sleep: input.sleep }
    : WALL_CLOCK;
  const mailer = new PacedMailer(sesMailerOf(clients.ses, s.sender, e.CONFIGURATION_SET), {
    quota: new SesSendingQuota(clients.ses, s.sendingQuota),
    senders: s.senderConcurrency ?? DEFAULT_SENDER_CONCURRENCY,
    clock,
  });
  return {
    step: {
      store: portfolioStoreOf(input),
      ledger: new DynamoMessageLedger(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
      suppressions: new DynamoSuppressionList(clients.dynamodb, e.PORTFOLIO_TABLE),
      tasks: new DynamoTaskBook(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
      mailer,
      renderer: new EmailRenderer(EMAIL_TEMPLATES),
      events: input.events ?? new PowertoolsEventLog(),
      settings: { ...deliverySettingsOf(s), unsubscribeBaseUrl: e.UNSUBSCRIBE_BASE_URL },
      secret: cachedSecret(clients.secrets, e.SIGNING_SECRET_ID),
      now: input.now ?? (() => new Date()),
    },
    queue: new SqsSendQueue(clients.sqs, e.SEND_QUEUE_URL),
    random: Math.random,
    // On a virtual clock, time stands still while a step works, so overlapping steps gains nothing and would make
    // the steps' times depend on the order real I/O completes: one at a time keeps a local run's times repeatable.
    stepsInFlight: input.sleep ? 1 : STEPS_IN_FLIGHT,
  };
}

/**
 * One record of the send queue: a step whose schedule fired. Done (sent, or nothing to send) acknowledges it. A step
 * that must wait (SES throttling, a claim another invocation holds) goes back on the queue as a new message with a
 * delay and the record is acknowledged, so waiting never uses up its receives; if putting it back fails, the record
 * fails instead. Any other error fails the record: SQS delivers it again, and after the last receive it goes to the
 * send dead-letter queue.
 */
async function sendOne(deps: SenderDependencies, record: SQSRecord): Promise<'done' | 'failed'> {
  let payload: StepPayload | undefined;
  try {
    payload = stepPayloadOf(JSON.parse(record.body));
    const outcome = await runStep(deps.step, payload);
    logger.info('step handled', { caseId: payload.caseId, step: payload.step, outcome });
    return 'done';
  } catch (error) {
    const wait = waitOf(error, deps.random);
    const where = { caseId: payload?.caseId, step: payload?.step, messageId: record.messageId };
    if (wait && payload) {
      try {
        await deps.queue.later(payload, wait.seconds);
        logger.warn('step waits on the send queue', { ...where, reason: wait.reason, seconds: wait.seconds });
        return 'done';
      } catch (queueError) {
        logger.error('step could not go back on the send queue; SQS delivers it again', {
          ...where,
          error: queueError instanceof Error ? queueError.name : String(queueError),
        });
        return 'failed';
      }
    }
    logger.error('step failed; SQS delivers it again', {
      ...where,
      error: error instanceof Error ? error.name : String(error),
    });
    return 'failed';
  }
}

/** The sender: a batch of the send queue, a few steps at a time, the failed records reported back to SQS. */
export function createStepHandler(deps: SenderDependencies) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      const results = await mapWithConcurrency(event.Records, deps.stepsInFlight, (record) =>
        sendOne(deps, record),
      );
      return {
        batchItemFailures: event.Records.filter((_, i) => results[i] === 'failed').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    } finally {
      publishMetrics();
    }
  };
}

export const handler = onColdStart(() =>
  createStepHandler(
    stepRoot(
      lambdaInput('step', {
        dynamodb: lambdaDocumentClient(),
        ses: new SESv2Client(SENDER_SES_CONFIG),
        sqs: new SQSClient(CLIENT_CONFIG),
        secrets: new SecretsManagerClient(CLIENT_CONFIG),
      }),
    ),
  ),
);
