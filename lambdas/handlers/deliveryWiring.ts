import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoEmailDayBook } from '../adapters/dynamodb/dynamoEmailDayBook';
import { DynamoIngestReports } from '../adapters/dynamodb/dynamoIngestReports';
import { DynamoOwnerActions } from '../adapters/dynamodb/dynamoOwnerActions';
import { DynamoMessageLedger, DynamoPortfolioStore } from '../adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import { EventBridgeScheduler } from '../adapters/scheduler/eventBridgeScheduler';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { SesMailer } from '../adapters/ses/sesMailer';
import type { DeliverySettings } from '../delivery/settings';
import { type ClockTime, isClockTime } from '../domain/delivery/sendTime';
import { LOCALES, type Locale } from '../domain/locales';
import { COMPILED_TEMPLATES } from '../rendering/compiledTemplates';
import type { Brand } from '../rendering/model';
import { EmailRenderer } from '../rendering/renderer';
import { PowertoolsEventLog } from '../shared/observability';

// The one composition root of the delivery Lambdas: environment checked once, clients made once per container.
// No zod here: the stack wrote these values after checking them at synth (lib/config.ts), and keeping the schema
// library out keeps the step function's bundle small. What can still go wrong is named by its variable.

export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

function environmentOf(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  const text = (name: string, fallback?: string): string => {
    const value = env[name]?.trim() || fallback;
    if (value === undefined) problems.push(`${name}: required`);
    return value ?? '';
  };
  const clock = (name: string, fallback: string) => {
    const value = text(name, fallback);
    if (!isClockTime(value)) problems.push(`${name}: expected HH:MM, got "${value}"`);
    return value as ClockTime;
  };
  const retention = Number(text('DATA_RETENTION_DAYS', '400'));
  if (!Number.isInteger(retention) || retention <= 0)
    problems.push('DATA_RETENTION_DAYS: expected a whole number of days');
  const locale = text('DEFAULT_LOCALE', 'en') as Locale;
  if (!LOCALES.includes(locale)) problems.push(`DEFAULT_LOCALE: expected one of ${LOCALES.join(', ')}`);
  const unsubscribeBaseUrl = text('UNSUBSCRIBE_BASE_URL');
  if (!URL.canParse(unsubscribeBaseUrl)) problems.push('UNSUBSCRIBE_BASE_URL: expected an address');
  // Only the digest puts action links in its emails; the action function does not need its own address.
  const actionBaseUrl = text('ACTION_BASE_URL', '');
  if (actionBaseUrl && !URL.canParse(actionBaseUrl)) problems.push('ACTION_BASE_URL: expected an address');
  let brand: Brand | undefined;
  try {
    brand = JSON.parse(text('BRAND')) as Brand;
  } catch {
    problems.push('BRAND: expected the JSON the stack writes');
  }
  const e = {
    PORTFOLIO_TABLE: text('PORTFOLIO_TABLE'),
    ACTIVITY_TABLE: text('ACTIVITY_TABLE'),
    DATA_RETENTION_DAYS: retention,
    SEND_TIME: clock('SEND_TIME', '09:30'),
    TASK_TIME: clock('TASK_TIME', '07:00'),
    DIGEST_TIME: clock('DIGEST_TIME', '08:00'),
    DEFAULT_LOCALE: locale,
    DEFAULT_TIMEZONE: text('DEFAULT_TIMEZONE', 'UTC'),
    ESCALATION_EMAILS: text('ESCALATION_EMAILS', ''),
    BRAND: brand as Brand,
    UNSUBSCRIBE_BASE_URL: unsubscribeBaseUrl,
    ACTION_BASE_URL: actionBaseUrl,
    SENDER_EMAIL: text('SENDER_EMAIL'),
    SENDER_NAME: text('SENDER_NAME'),
    REPLY_TO_EMAIL: env.REPLY_TO_EMAIL?.trim() || undefined,
    CONFIGURATION_SET: env.CONFIGURATION_SET?.trim() || undefined,
    SIGNING_SECRET_ID: text('SIGNING_SECRET_ID'),
    SCHEDULE_GROUP: text('SCHEDULE_GROUP', 'clm-autopilot'),
    STEP_FUNCTION_ARN: text('STEP_FUNCTION_ARN', ''),
    SCHEDULER_ROLE_ARN: text('SCHEDULER_ROLE_ARN', ''),
    STEP_DLQ_ARN: text('STEP_DLQ_ARN', ''),
  };
  if (problems.length > 0)
    throw new EnvironmentError(`the function's environment is not usable:\n- ${problems.join('\n- ')}`);
  return e;
}

export function deliveryWiring(env: NodeJS.ProcessEnv = process.env) {
  const e = environmentOf(env);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const settings: DeliverySettings = {
    sendTime: e.SEND_TIME,
    taskTime: e.TASK_TIME,
    digestTime: e.DIGEST_TIME,
    defaultLocale: e.DEFAULT_LOCALE,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    escalationEmails: e.ESCALATION_EMAILS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    brand: e.BRAND,
    unsubscribeBaseUrl: e.UNSUBSCRIBE_BASE_URL,
    actionBaseUrl: e.ACTION_BASE_URL || null,
  };
  const actions = new DynamoOwnerActions(
    documents,
    e.PORTFOLIO_TABLE,
    e.ACTIVITY_TABLE,
    e.DATA_RETENTION_DAYS,
  );
  return {
    settings,
    store: new DynamoPortfolioStore({
      client: documents,
      portfolioTable: e.PORTFOLIO_TABLE,
      retentionDays: e.DATA_RETENTION_DAYS,
    }),
    ledger: new DynamoMessageLedger(documents, e.ACTIVITY_TABLE, e.DATA_RETENTION_DAYS),
    emailDays: new DynamoEmailDayBook(documents, e.PORTFOLIO_TABLE),
    suppressions: new DynamoSuppressionList(documents, e.PORTFOLIO_TABLE),
    tasks: new DynamoTaskBook(documents, e.ACTIVITY_TABLE, e.DATA_RETENTION_DAYS),
    actions,
    pauses: actions,
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
