import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSuppressionList } from '../../../lambdas/adapters/dynamodb/dynamoSuppressionList';
import {
  signUnsubscribeToken,
  verifyUnsubscribeToken,
} from '../../../lambdas/domain/delivery/unsubscribeToken';
import { createUnsubscribeHandler } from '../../../lambdas/handlers/unsubscribe';
import { type LocalDynamo, startDynamo } from '../../../local/emulators';

const SECRET = 'test-signing-secret-0123456789abcdef';
let dynamo: LocalDynamo;
let suppressions: DynamoSuppressionList;

beforeAll(async () => {
  dynamo = await startDynamo();
  suppressions = new DynamoSuppressionList(dynamo.documents, dynamo.tables.Portfolio!);
});
afterAll(async () => {
  await dynamo.close();
});

function request(method: string, token: string, body?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: `/u/${token}`,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method, path: `/u/${token}` } } as APIGatewayProxyEventV2['requestContext'],
    ...(body !== undefined ? { body } : {}),
  } as APIGatewayProxyEventV2;
}

const handler = () =>
  createUnsubscribeHandler({ suppressions, secret: async () => SECRET, defaultLocale: 'en' });
const claims = {
  email: 'lucia.garcia@costa.example',
  customerId: 'C-0042',
  locale: 'es' as const,
  issuedOn: '2026-11-23',
};

describe('unsubscribe tokens', () => {
  it('verify when genuine and fail when any character changes', () => {
    // Prepare
    const token = signUnsubscribeToken(claims, SECRET);

    // Act
    const tampered = [
      `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`,
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      token.split('.')[0]!,
      `${token}.x`,
      '',
    ];

    // Assess
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual(claims);
    expect(verifyUnsubscribeToken(token, 'another-secret')).toBeNull();
    for (const t of tampered) expect(verifyUnsubscribeToken(t, SECRET)).toBeNull();
  });
});

describe('unsubscribe endpoint', () => {
  it('asks for confirmation on GET, in the recipient language, and suppresses nothing yet', async () => {
    // Act
    const response = await handler()(request('GET', signUnsubscribeToken(claims, SECRET)));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<html lang="es">');
    expect(response.body).toContain('¿Darse de baja de estos correos?');
    expect(response.body).toContain('<form method="post">');
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(await suppressions.isSuppressed(claims.email)).toBe(false);
  });

  it('suppresses the address on a one-click POST', async () => {
    // Prepare
    const token = signUnsubscribeToken({ ...claims, email: 'one.click@costa.example', locale: 'fr' }, SECRET);

    // Act
    const response = await handler()(request('POST', token, 'List-Unsubscribe=One-Click'));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Vous êtes désabonné');
    expect(await suppressions.isSuppressed('one.click@costa.example')).toBe(true);
  });

  it('rejects a tampered token and suppresses nobody', async () => {
    // Prepare
    const forged = signUnsubscribeToken({ ...claims, email: 'victim@costa.example' }, 'guessed-secret');

    // Act
    const response = await handler()(request('POST', forged, 'List-Unsubscribe=One-Click'));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('This link does not work');
    expect(await suppressions.isSuppressed('victim@costa.example')).toBe(false);
  });
});
