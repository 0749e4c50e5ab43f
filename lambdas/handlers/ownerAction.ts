import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoOwnerActions } from '../adapters/dynamodb/dynamoOwnerActions';
import { DynamoTaskBook } from '../adapters/dynamodb/dynamoTaskBook';
import { EventBridgeScheduler } from '../adapters/scheduler/eventBridgeScheduler';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { describeAction, type OwnerActionDependencies, performAction } from '../delivery/ownerActions';
import { verifyActionToken } from '../domain/delivery/actionToken';
import type { Locale } from '../domain/locales';
import {
  badActionLinkPage,
  confirmActionPage,
  expiredActionLinkPage,
  goneActionPage,
  notAllowedActionPage,
  outcomePage,
} from '../ownerActions/pages';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, portfolioStoreOf, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { PowertoolsEventLog, publishMetrics } from '../shared/observability';
import { maskEmail } from '../shared/privacy';
import { methodOf, PAGE_HEADERS, respond, tokenOf } from '../shared/publicEndpoint';
import { deliverySettingsOf } from '../shared/settings';

export interface OwnerActionHandlerDependencies extends OwnerActionDependencies {
  secret: () => Promise<string>;
}

/** Status codes of what a POST found: acted (200), nothing to act on (410), already done or used (409). */
const STATUS = { gone: 410, used: 409, closed: 409 } as const;

/**
 * The owner-action endpoint behind a Lambda function URL, public like the unsubscribe one: a bad, expired or
 * foreign link gets a plain 400 page, another method a 405, never an error. GET shows what the link will do and
 * changes nothing (mail scanners follow links); only the POST from that page acts, once per link.
 */
export function createOwnerActionHandler(deps: OwnerActionHandlerDependencies) {
  const locale: Locale = deps.settings.defaultLocale;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = methodOf(event);
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST')
      return {
        statusCode: 405,
        headers: { ...PAGE_HEADERS, allow: 'GET, HEAD, POST' },
        body: notAllowedActionPage(locale),
      };
    const token = tokenOf(event);
    const today = deps.now().toISOString().slice(0, 10);
    const check = token === null ? null : verifyActionToken(token, await deps.secret(), today);
    const json = wantsJson(event);
    if (!check?.valid) {
      const reason = check?.reason ?? 'malformed';
      logger.warn('action link refused', { reason });
      if (json) return respondJson(400, { refused: reason });
      return respond(400, reason === 'expired' ? expiredActionLinkPage(locale) : badActionLinkPage(locale));
    }
    const { claims } = check;
    const about = await describeAction(deps, claims, today);
    if (method !== 'POST')
      return about.actionable
        ? respond(200, confirmActionPage(claims.locale, claims.action, about.customerName))
        : respond(410, goneActionPage(claims.locale));
    const outcome = await performAction(deps, claims, token!);
    logger.info('owner action', { action: claims.action, outcome: outcome.kind, by: maskEmail(claims.by) });
    const status = outcome.kind in STATUS ? STATUS[outcome.kind as keyof typeof STATUS] : 200;
    if (json) return respondJson(status, { outcome });
    return respond(status, outcomePage(claims.locale, outcome, about.customerName));
  };
}

/** `clm task` and `clm customer` post the same tokens and ask for the outcome as JSON, to print it in one line. */
const wantsJson = (event: APIGatewayProxyEventV2) =>
  String(event.headers?.accept ?? '').includes('application/json');

function respondJson(statusCode: number, body: object): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** The owner-action function's composition root. */
export function ownerActionRoot(
  input: RootInput<'ownerAction', 'dynamodb' | 'scheduler' | 'secrets'>,
): OwnerActionHandlerDependencies {
  const { environment: e, settings: s, clients } = input;
  return {
    store: portfolioStoreOf(input),
    tasks: new DynamoTaskBook(clients.dynamodb, e.ACTIVITY_TABLE, s.dataRetentionDays),
    actions: new DynamoOwnerActions(
      clients.dynamodb,
      e.PORTFOLIO_TABLE,
      e.ACTIVITY_TABLE,
      s.dataRetentionDays,
    ),
    scheduler: new EventBridgeScheduler({
      client: clients.scheduler,
      groupName: e.SCHEDULE_GROUP,
      queueArn: e.SEND_QUEUE_ARN,
      roleArn: e.SCHEDULER_ROLE_ARN,
      deadLetterArn: e.STEP_DLQ_ARN,
    }),
    events: input.events ?? new PowertoolsEventLog(),
    settings: deliverySettingsOf(s),
    secret: cachedSecret(clients.secrets, e.SIGNING_SECRET_ID),
    now: input.now ?? (() => new Date()),
  };
}

/** Metrics of what the owners did are flushed after every request. */
function publishingAfterEach(handle: ReturnType<typeof createOwnerActionHandler>) {
  return async (event: APIGatewayProxyEventV2) => {
    try {
      return await handle(event);
    } finally {
      publishMetrics();
    }
  };
}

export const handler = onColdStart(() =>
  publishingAfterEach(
    createOwnerActionHandler(
      ownerActionRoot(
        lambdaInput('ownerAction', {
          dynamodb: lambdaDocumentClient(),
          scheduler: new SchedulerClient(CLIENT_CONFIG),
          secrets: new SecretsManagerClient(CLIENT_CONFIG),
        }),
      ),
    ),
  ),
);
