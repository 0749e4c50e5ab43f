import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { DynamoEmailDayBook } from '../adapters/dynamodb/dynamoEmailDayBook';
import { DynamoPlannedEmails } from '../adapters/dynamodb/dynamoPlannedEmails';
import { EventBridgeScheduler } from '../adapters/scheduler/eventBridgeScheduler';
import { SesSendingQuota } from '../adapters/ses/sesSendingQuota';
import { SqsShardQueue } from '../adapters/sqs/sqsShardQueue';
import type { EvaluateDependencies } from '../delivery/evaluatePortfolio';
import { type NightDependencies, type NightOutcome, runNight } from '../delivery/runNight';
import { todayIn } from '../domain/dates';
import { DEFAULT_PLAYBOOK, parsePlaybook } from '../domain/playbook/playbook';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, portfolioStoreOf, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { countRescheduled, PowertoolsEventLog, publishMetrics } from '../shared/observability';
import { deliverySettingsOf } from '../shared/settings';

/** What both evaluators are built from: the store, the email-day book, the step schedules, the playbook. */
export function evaluationOf(
  input: RootInput<'evaluateShard', 'dynamodb' | 'scheduler' | 'ses'>,
): EvaluateDependencies {
  const { environment: e, settings: s, clients } = input;
  return {
    store: portfolioStoreOf(input),
    emailDays: new DynamoEmailDayBook(clients.dynamodb, e.PORTFOLIO_TABLE),
    scheduler: new EventBridgeScheduler({
      client: clients.scheduler,
      groupName: e.SCHEDULE_GROUP,
      queueArn: e.SEND_QUEUE_ARN,
      roleArn: e.SCHEDULER_ROLE_ARN,
      deadLetterArn: e.STEP_DLQ_ARN,
    }),
    events: input.events ?? new PowertoolsEventLog(),
    // Checked at synth, and again here: the playbook decides what customers receive.
    settings: {
      ...deliverySettingsOf(s),
      playbook: s.playbook ? parsePlaybook(s.playbook) : DEFAULT_PLAYBOOK,
    },
    quota: new SesSendingQuota(clients.ses, s.sendingQuota),
    plannedEmails: new DynamoPlannedEmails(clients.dynamodb, e.PORTFOLIO_TABLE),
    now: input.now ?? (() => new Date()),
  };
}

/** The nightly function's composition root: the evaluation, and the queue it splits a large night into. */
export function evaluateRoot(
  input: RootInput<'evaluate', 'dynamodb' | 'scheduler' | 'sqs' | 'ses'>,
): NightDependencies {
  return {
    ...evaluationOf(input),
    customersPerShard: input.settings.customersPerShard,
    shards: new SqsShardQueue(input.clients.sqs, input.environment.SHARD_QUEUE_URL),
  };
}

/** The nightly run, invoked by the recurring schedule: evaluates the portfolio, or splits it for the workers. */
export function createEvaluateHandler(deps: NightDependencies) {
  return async (_event: ScheduledEvent): Promise<NightOutcome> => {
    const today = todayIn(deps.settings.defaultTimezone, deps.now());
    try {
      const outcome = await runNight(deps, today);
      if (outcome.mode === 'whole') countRescheduled(outcome.rescheduled);
      logger.info('night run', { today, ...outcome });
      return outcome;
    } finally {
      publishMetrics();
    }
  };
}

export const handler = onColdStart(() =>
  createEvaluateHandler(
    evaluateRoot(
      lambdaInput('evaluate', {
        dynamodb: lambdaDocumentClient(),
        scheduler: new SchedulerClient(CLIENT_CONFIG),
        sqs: new SQSClient(CLIENT_CONFIG),
        ses: new SESv2Client(CLIENT_CONFIG),
      }),
    ),
  ),
);
