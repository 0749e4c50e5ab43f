import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoSuppressionList } from '../adapters/dynamodb/dynamoSuppressionList';
import { cachedSecret } from '../adapters/secrets/signingSecret';
import { verifyUnsubscribeToken } from '../domain/delivery/unsubscribeToken';
import { isLocale, type Locale } from '../domain/locales';
import type { SuppressionList } from '../ports/suppressionList';
import { logger } from '../shared/logger';
import { maskEmail } from '../shared/privacy';
import { badLinkPage, confirmPage, donePage } from '../unsubscribe/pages';

export interface UnsubscribeDependencies {
  suppressions: SuppressionList;
  secret: () => Promise<string>;
  defaultLocale: Locale;
  now?: () => Date;
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function respond(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: HEADERS, body };
}

/** The token is the last path segment (/u/<token>) or the `t` query parameter. */
function tokenOf(event: APIGatewayProxyEventV2): string {
  return (
    event.queryStringParameters?.t ?? decodeURIComponent(event.rawPath.split('/').filter(Boolean).pop() ?? '')
  );
}

/**
 * The unsubscribe endpoint behind a Lambda function URL. GET shows a confirmation page (mail scanners that follow
 * links must not unsubscribe anyone); POST, from that page or from a mail client's RFC 8058 one-click request,
 * suppresses the address.
 */
export function createUnsubscribeHandler(deps: UnsubscribeDependencies) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const claims = verifyUnsubscribeToken(tokenOf(event), await deps.secret());
    if (!claims) {
      logger.warn('unsubscribe link rejected');
      return respond(400, badLinkPage(deps.defaultLocale));
    }
    const locale = isLocale(claims.locale) ? claims.locale : deps.defaultLocale;
    const method = event.requestContext.http.method.toUpperCase();
    if (method === 'GET' || method === 'HEAD') return respond(200, confirmPage(locale, claims.email));
    if (method !== 'POST') return { statusCode: 405, headers: { ...HEADERS, allow: 'GET, POST' }, body: '' };
    await deps.suppressions.suppress(claims.email, 'unsubscribed', (deps.now ?? (() => new Date()))());
    const body = event.body
      ? event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body
      : '';
    logger.info('unsubscribed', {
      email: maskEmail(claims.email),
      oneClick: body.includes('List-Unsubscribe=One-Click'),
    });
    return respond(200, donePage(locale, claims.email));
  };
}

let wired: ReturnType<typeof createUnsubscribeHandler> | undefined;

export const handler = async (event: APIGatewayProxyEventV2) => {
  if (!wired) {
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const defaultLocale = process.env.DEFAULT_LOCALE ?? 'en';
    wired = createUnsubscribeHandler({
      suppressions: new DynamoSuppressionList(documents, process.env.PORTFOLIO_TABLE!),
      secret: cachedSecret(new SecretsManagerClient({}), process.env.SIGNING_SECRET_ID!),
      defaultLocale: isLocale(defaultLocale) ? defaultLocale : 'en',
    });
  }
  return wired(event);
};
