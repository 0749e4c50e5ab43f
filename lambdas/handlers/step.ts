import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoOwnerActions } from '../adapters/dynamodb/dynamoOwnerActions';
import { DynamoMessageLedger } from '../adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { sesMailerOf } from '../adapters/ses/sesMailer';
import type { StepPayload } from '../delivery/evaluatePortfolio';
import { RetryLaterError, runStep, type StepDependencies, type StepOutcome } from '../delivery/runStep';
import { EMAIL_TEMPLATES } from '../rendering/compiledTemplates';
import { EmailRenderer } from '../rendering/renderer';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, portfolioStoreOf, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { PowertoolsEventLog, publishMetrics } from '../shared/observability';
import { deliverySettingsOf } from '../shared/settings';

/** The payload the evaluator put on the schedule; anything else is refused before it reaches a customer. */
export function stepPayloadOf(event: unknown): StepPayload {
  const { customerId, caseId, step } = (event ?? {}) as Record<string, unknown>;
  if (typeof customerId !== 'string' || customerId === '' || typeof caseId !== 'string' || caseId === '')
    throw new TypeError('step payload needs customerId and caseId');
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0)
    throw new TypeError('step payload needs a step index');
  return { customerId, caseId, step };
}

/** The step function's composition root. */
export function stepRoot(input: RootInput<'step', 'dynamodb' | 'ses' | 'secrets'>): StepDependencies {
  const { environment: e, settings: s, clients } = input;
  return {
    store: portfolioStoreOf(input),
    ledger: new DynamoMessageLedger(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
    suppressions: new DynamoSuppressionList(clients.dynamodb, e.PORTFOLIO_TABLE),
    tasks: new DynamoTaskBook(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
    pauses: new DynamoOwnerActions(
      clients.dynamodb,
      e.PORTFOLIO_TABLE,
      e.ACTIVITY_TABLE,
      s.dataRetentionDays,
    ),
    mailer: sesMailerOf(clients.ses, s.sender, e.CONFIGURATION_SET),
    renderer: new EmailRenderer(EMAIL_TEMPLATES),
    events: input.events ?? new PowertoolsEventLog(),
    settings: { ...deliverySettingsOf(s), unsubscribeBaseUrl: e.UNSUBSCRIBE_BASE_URL },
    secret: cachedSecret(clients.secrets, e.SIGNING_SECRET_ID),
    now: input.now ?? (() => new Date()),
  };
}

/**
 * One step of a case, invoked by its one-time schedule with the payload it carries. Any error fails the invocation
 * so Scheduler retries it; a RetryLaterError (SES throttling, a claim held by another invocation) is expected to
 * clear by itself.
 */
export function createStepHandler(deps: StepDependencies) {
  return async (event: unknown): Promise<StepOutcome> => {
    const payload = stepPayloadOf(event);
    try {
      const outcome = await runStep(deps, payload);
      logger.info('step handled', { caseId: payload.caseId, step: payload.step, outcome });
      return outcome;
    } catch (error) {
      const retryLater = error instanceof RetryLaterError;
      logger[retryLater ? 'warn' : 'error']('step failed; Scheduler retries it', {
        caseId: payload.caseId,
        step: payload.step,
        error: error instanceof Error ? error.name : String(error),
      });
      throw error;
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
        ses: new SESv2Client(CLIENT_CONFIG),
        secrets: new SecretsManagerClient(CLIENT_CONFIG),
      }),
    ),
  ),
);
