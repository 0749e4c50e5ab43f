import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoIngestReports } from '../adapters/dynamodb/dynamoIngestReports';
import { DynamoMessageLedger, DynamoPortfolioStore } from '../adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import { EventBridgeScheduler } from '../adapters/scheduler/eventBridgeScheduler';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { SesMailer } from '../adapters/ses/sesMailer';
import type { DeliverySettings } from '../delivery/settings';
import { isClockTime } from '../domain/delivery/sendTime';
import { LOCALES } from '../domain/locales';
import { DEFAULT_PLAYBOOK, parsePlaybook } from '../domain/playbook/playbook';
import { COMPILED_TEMPLATES } from '../rendering/compiledTemplates';
import { Brand } from '../rendering/model';
import { EmailRenderer } from '../rendering/renderer';
import { PowertoolsEventLog } from '../shared/observability';

// The one composition root of the delivery Lambdas: environment checked once, clients made once per container.

const clock = z.string().refine(isClockTime, 'expected HH:MM');

const Environment = z.object({
  PORTFOLIO_TABLE: z.string().min(1),
  ACTIVITY_TABLE: z.string().min(1),
  DATA_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  SEND_TIME: clock.default('09:30'),
  TASK_TIME: clock.default('07:00'),
  DIGEST_TIME: clock.default('08:00'),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en'),
  DEFAULT_TIMEZONE: z.string().default('UTC'),
  ESCALATION_EMAILS: z.string().default(''),
  BRAND: z.string().min(2),
  PLAYBOOK: z.string().optional(),
  UNSUBSCRIBE_BASE_URL: z.url(),
  SENDER_EMAIL: z.email(),
  SENDER_NAME: z.string().min(1),
  REPLY_TO_EMAIL: z.email().optional(),
  CONFIGURATION_SET: z.string().optional(),
  SIGNING_SECRET_ID: z.string().min(1),
  SCHEDULE_GROUP: z.string().default('clm-autopilot'),
  STEP_FUNCTION_ARN: z.string().default(''),
  SCHEDULER_ROLE_ARN: z.string().default(''),
  STEP_DLQ_ARN: z.string().default(''),
});

export function deliveryWiring(env: NodeJS.ProcessEnv = process.env) {
  const e = Environment.parse(env);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const settings: DeliverySettings = {
    playbook: e.PLAYBOOK ? parsePlaybook(JSON.parse(e.PLAYBOOK)) : DEFAULT_PLAYBOOK,
    sendTime: e.SEND_TIME as DeliverySettings['sendTime'],
    taskTime: e.TASK_TIME as DeliverySettings['taskTime'],
    digestTime: e.DIGEST_TIME as DeliverySettings['digestTime'],
    defaultLocale: e.DEFAULT_LOCALE,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    escalationEmails: e.ESCALATION_EMAILS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    brand: Brand.parse(JSON.parse(e.BRAND)),
    unsubscribeBaseUrl: e.UNSUBSCRIBE_BASE_URL,
  };
  return {
    settings,
    store: new DynamoPortfolioStore({
      client: documents,
      portfolioTable: e.PORTFOLIO_TABLE,
      retentionDays: e.DATA_RETENTION_DAYS,
    }),
    ledger: new DynamoMessageLedger(documents, e.ACTIVITY_TABLE, e.DATA_RETENTION_DAYS),
    suppressions: new DynamoSuppressionList(documents, e.PORTFOLIO_TABLE),
    tasks: new DynamoTaskBook(documents, e.ACTIVITY_TABLE, e.DATA_RETENTION_DAYS),
    reports: new DynamoIngestReports(documents, e.ACTIVITY_TABLE),
    scheduler: new EventBridgeScheduler({
      client: new SchedulerClient({}),
      groupName: e.SCHEDULE_GROUP,
      targetArn: e.STEP_FUNCTION_ARN,
      roleArn: e.SCHEDULER_ROLE_ARN,
      deadLetterArn: e.STEP_DLQ_ARN,
    }),
    mailer: new SesMailer({
      client: new SESv2Client({}),
      senderEmail: e.SENDER_EMAIL,
      senderName: e.SENDER_NAME,
      ...(e.REPLY_TO_EMAIL ? { replyToEmail: e.REPLY_TO_EMAIL } : {}),
      ...(e.CONFIGURATION_SET ? { configurationSetName: e.CONFIGURATION_SET } : {}),
    }),
    renderer: new EmailRenderer(COMPILED_TEMPLATES),
    events: new PowertoolsEventLog(),
    secret: cachedSecret(new SecretsManagerClient({}), e.SIGNING_SECRET_ID),
    now: () => new Date(),
  };
}
