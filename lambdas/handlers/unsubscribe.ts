import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import type { IsoDate } from '../domain/dates';
import { verifyUnsubscribeToken } from '../domain/delivery/unsubscribeToken';
import type { Locale } from '../domain/locales';
import type { SuppressionList } from '../ports/suppressionList';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { maskEmail } from '../shared/privacy';
import { bodyOf, methodOf, PAGE_HEADERS, respond, tokenOf } from '../shared/publicEndpoint';
import { badLinkPage, confirmPage, donePage, expiredLinkPage, notAllowedPage } from '../unsubscribe/pages';

export interface UnsubscribeDependencies {
  suppressions: SuppressionList;
  secret: () => Promise<string>;
  defaultLocale: Locale;
  now?: () => Date;
}

/**
 * The unsubscribe endpoint behind a Lambda function URL, public: anything a stranger can send gets a plain page
 * (400 for a bad or expired link, 405 for a method other than GET, HEAD and POST), never an error, so nobody can
 * set off the function's error alarm from outside. GET shows a confirmation page (mail scanners that follow
 * links must not unsubscribe anyone); POST, from that page or from a mail client's RFC 8058 one-click request,
 * suppresses the address. Links expire a year after their email, on the injected clock.
 */
export function createUnsubscribeHandler(deps: UnsubscribeDependencies) {
  const now = deps.now ?? (() => new Date());
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = methodOf(event);
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST')
      return {
        statusCode: 405,
        headers: { ...PAGE_HEADERS, allow: 'GET, HEAD, POST' },
        body: notAllowedPage(deps.defaultLocale),
      };
    const token = tokenOf(event);
    const at = now();
    const check = token === null ? null : verifyUnsubscribeToken(token, await deps.secret(), isoDay(at));
    if (!check?.valid) {
      const reason = check?.reason ?? 'malformed';
      logger.warn('unsubscribe link rejected', { reason });
      return respond(
        400,
        reason === 'expired' ? expiredLinkPage(deps.defaultLocale) : badLinkPage(deps.defaultLocale),
      );
    }
    const { claims } = check;
    if (method !== 'POST') return respond(200, confirmPage(claims.locale, claims.email));
    await deps.suppressions.suppress(claims.email, 'unsubscribed', at);
    logger.info('unsubscribed', {
      email: maskEmail(claims.email),
      oneClick: bodyOf(event).includes('List-Unsubscribe=One-Click'),
    });
    return respond(200, donePage(claims.locale, claims.email));
  };
}

const isoDay = (at: Date): IsoDate => at.toISOString().slice(0, 10);

/** The unsubscribe function's composition root. */
export function unsubscribeRoot(
  input: RootInput<'unsubscribe', 'dynamodb' | 'secrets'>,
): UnsubscribeDependencies {
  const { environment: e, clients } = input;
  return {
    suppressions: new DynamoSuppressionList(clients.dynamodb, e.PORTFOLIO_TABLE),
    secret: cachedSecret(clients.secrets, e.SIGNING_SECRET_ID),
    defaultLocale: input.settings.defaultLocale,
    ...(input.now ? { now: input.now } : {}),
  };
}

export const handler = onColdStart(() =>
  createUnsubscribeHandler(
    unsubscribeRoot(
      lambdaInput('unsubscribe', {
        dynamodb: lambdaDocumentClient(),
        secrets: new SecretsManagerClient(CLIENT_CONFIG),
      }),
    ),
  ),
);
