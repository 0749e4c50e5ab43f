import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
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

const TODAY = '2026-11-29';
const handler = (today = TODAY) =>
  createUnsubscribeHandler({
    suppressions,
    secret: async () => SECRET,
    defaultLocale: 'en',
    now: () => new Date(`${today}T12:00:00Z`),
  });
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
    expect(verifyUnsubscribeToken(token, SECRET, TODAY)).toEqual({ valid: true, claims });
    expect(verifyUnsubscribeToken(token, 'another-secret', TODAY)).toEqual({
      valid: false,
      reason: 'forged',
    });
    for (const t of tampered) expect(verifyUnsubscribeToken(t, SECRET, TODAY).valid).toBe(false);
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

describe('unsubscribe links a year on, and in other forms', () => {
  it('work for a year after their email and then show an expired page, suppressing nobody', async () => {
    // Prepare
    const token = signUnsubscribeToken({ ...claims, email: 'old.link@costa.example' }, SECRET);

    // Act
    const lastDay = await handler('2027-11-23')(request('GET', token));
    const dayAfter = await handler('2027-11-24')(request('POST', token, 'List-Unsubscribe=One-Click'));

    // Assess
    expect(lastDay.statusCode).toBe(200);
    expect(dayAfter.statusCode).toBe(400);
    expect(dayAfter.body).toContain('This link has expired');
    expect(await suppressions.isSuppressed('old.link@costa.example')).toBe(false);
  });

  it('accept only the one form we issue: padding, standard base64 and spare bits are refused', () => {
    // Prepare
    const token = signUnsubscribeToken(claims, SECRET);
    const [payload, mac] = token.split('.') as [string, string];
    const bytes = Buffer.from(mac, 'base64url');
    // The last of 43 characters carries 4 bits and 2 spare ones: setting a spare bit decodes to the same MAC.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.at(-1)!);
    const spareBits = `${mac.slice(0, -1)}${alphabet[last | 1]}`;
    const variants = [
      `${payload}.${bytes.toString('base64')}`,
      `${payload}.${mac}=`,
      `${payload}=.${mac}`,
      `${payload}.${spareBits}`,
      `${Buffer.from(payload, 'base64url').toString('base64')}.${mac}`,
      ` ${token}`,
      `${token}\n`,
    ].filter((v) => v !== token);

    // Act
    const checks = variants.map((v) => verifyUnsubscribeToken(v, SECRET, TODAY));

    // Assess
    expect(Buffer.from(spareBits.split('.').at(-1)!, 'base64url').equals(bytes)).toBe(true);
    expect(variants.length).toBeGreaterThanOrEqual(6);
    for (const check of checks) expect(check).toEqual({ valid: false, reason: 'malformed' });
  });
});

describe('unsubscribe endpoint, hostile input', () => {
  const event = (overrides: Partial<APIGatewayProxyEventV2>) =>
    ({ ...request('GET', 'x'), ...overrides }) as APIGatewayProxyEventV2;

  it.each([
    ['a path that is not percent-encoding', event({ rawPath: '/u/%E0%A4%A' })],
    ['a lone percent sign', event({ rawPath: '/u/%' })],
    ['no path at all', event({ rawPath: '' })],
    ['a path of 100 000 characters', event({ rawPath: `/u/${'A'.repeat(100_000)}` })],
    ['a token of three parts', event({ rawPath: '/u/a.b.c' })],
    ['an empty query token', event({ queryStringParameters: { t: '' } })],
    [
      'a JSON payload that is not ours',
      event({ rawPath: `/u/${Buffer.from('{}').toString('base64url')}.x` }),
    ],
  ])('answer %s with a plain 400 page', async (_, request) => {
    // Act
    const response = await handler()(request);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('This link does not work');
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8' });
  });

  it.each(['PUT', 'DELETE', 'OPTIONS', 'PATCH', '', 'G\u0000T'])(
    'answers method "%s" with a plain 405 page, even with a genuine token',
    async (method) => {
      // Act
      const response = await handler()(request(method, signUnsubscribeToken(claims, SECRET)));

      // Assess
      expect(response.statusCode).toBe(405);
      expect(response.headers).toMatchObject({ allow: 'GET, HEAD, POST' });
      expect(response.body).toContain('<html lang="en">');
    },
  );

  it('unsubscribes on a POST whose body is not what it claims to be', async () => {
    // Prepare
    const token = signUnsubscribeToken({ ...claims, email: 'odd.body@costa.example' }, SECRET);
    const odd = { ...request('POST', token), body: '%%%not base64%%%', isBase64Encoded: true };

    // Act
    const response = await handler()(odd as APIGatewayProxyEventV2);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(await suppressions.isSuppressed('odd.body@costa.example')).toBe(true);
  });

  it('never throws, whatever path, method and body arrive', async () => {
    // Prepare
    const answer = handler();

    // Act and Assess
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'get', ''),
        fc.option(fc.string({ maxLength: 200 })),
        fc.boolean(),
        async (path, method, body, isBase64Encoded) => {
          const response = await answer({
            ...request(method, 'x'),
            rawPath: path,
            isBase64Encoded,
            ...(body === null ? {} : { body }),
          } as APIGatewayProxyEventV2);
          expect([400, 405]).toContain(response.statusCode);
        },
      ),
      { numRuns: 300 },
    );
  });
});
