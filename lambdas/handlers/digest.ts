import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ScheduledEvent } from 'aws-lambda';
import { DynamoIngestReports } from '../adapters/dynamodb/dynamoIngestReports';
import { DynamoOwnerActions } from '../adapters/dynamodb/dynamoOwnerActions';
import { DynamoMessageLedger } from '../adapters/dynamodb/dynamoPortfolioStore';
import { DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { sesMailerOf } from '../adapters/ses/sesMailer';
import { type DigestDependencies, sendDigests } from '../delivery/sendDigests';
import { todayIn } from '../domain/dates';
import { DIGEST_TEMPLATES } from '../rendering/compiledTemplates';
import { EmailRenderer } from '../rendering/renderer';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, portfolioStoreOf, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { PowertoolsEventLog, publishMetrics } from '../shared/observability';
import { deliverySettingsOf } from '../shared/settings';

/** The digest function's composition root. */
export function digestRoot(input: RootInput<'digest', 'dynamodb' | 'ses' | 'secrets'>): DigestDependencies {
  const { environment: e, settings: s, clients } = input;
  return {
    store: portfolioStoreOf(input),
    tasks: new DynamoTaskBook(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
    reports: new DynamoIngestReports(clients.dynamodb, e.ACTIVITY_TABLE),
    ledger: new DynamoMessageLedger(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
    mailer: sesMailerOf(clients.ses, s.sender, e.CONFIGURATION_SET),
    renderer: new EmailRenderer(DIGEST_TEMPLATES),
    events: input.events ?? new PowertoolsEventLog(),
    actions: new DynamoOwnerActions(
      clients.dynamodb,
      e.PORTFOLIO_TABLE,
      e.ACTIVITY_TABLE,
      s.dataRetentionDays,
    ),
    settings: { ...deliverySettingsOf(s), actionBaseUrl: e.ACTION_BASE_URL },
    secret: cachedSecret(clients.secrets, e.SIGNING_SECRET_ID),
    now: input.now ?? (() => new Date()),
  };
}

/** Weekday mornings, invoked by the recurring schedule: the owners' and team leads' digests. */
export function createDigestHandler(deps: DigestDependencies) {
  return async (_event: ScheduledEvent) => {
    const today = todayIn(deps.settings.defaultTimezone, deps.now());
    try {
      const result = await sendDigests(deps, today);
      logger.info('digests done', { today, ...result });
      return result;
    } finally {
      publishMetrics();
    }
  };
}

export const handler = onColdStart(() =>
  createDigestHandler(
    digestRoot(
      lambdaInput('digest', {
        dynamodb: lambdaDocumentClient(),
        ses: new SESv2Client(CLIENT_CONFIG),
        secrets: new SecretsManagerClient(CLIENT_CONFIG),
      }),
    ),
  ),
);
