import { Readable } from 'node:stream';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromAddress, SesMailer } from '../../../lambdas/adapters/ses/sesMailer';
import { MailerThrottledError } from '../../../lambdas/ports/mailer';
import { CLIENT_CONFIG } from '../../../lambdas/shared/awsClients';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalSes, startSes } from '../../../local/emulators';

let ses: LocalSes;
beforeAll(async () => {
  ses = await startSes();
});
afterAll(async () => {
  await ses.close();
});
beforeEach(async () => {
  await ses.clear();
});

const email = {
  to: 'lena.wagner@nordstone.example',
  subject: 'Ihre Lizenzen sind bereit',
  html: '<p>Hallo</p>',
  text: 'Hallo',
  unsubscribeUrl: 'https://unsubscribe.reseller.example/u/token',
  tags: { play: 'welcome', template: 'welcome' },
};

/** A client answering "slow down" on the wire the first `times` calls, as SES does; the SDK retries it. */
function throttling(
  times: number,
  maxAttempts: number = CLIENT_CONFIG.maxAttempts,
): { client: SESv2Client; calls: () => number } {
  let calls = 0;
  class Throttled extends NodeHttpHandler {
    override async handle(
      ...args: Parameters<NodeHttpHandler['handle']>
    ): ReturnType<NodeHttpHandler['handle']> {
      calls++;
      if (calls > times) return super.handle(...args);
      return {
        response: {
          statusCode: 429,
          reason: 'TooManyRequestsException',
          headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
          body: Readable.from([Buffer.from(JSON.stringify({ message: 'Maximum sending rate exceeded.' }))]),
        },
      } as Awaited<ReturnType<NodeHttpHandler['handle']>>;
    }
  }
  const client = new SESv2Client({
    ...CLIENT_CONFIG,
    maxAttempts,
    endpoint: ses.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new Throttled(),
  });
  return { client, calls: () => calls };
}

describe('SES mailer against aws-ses-v2-local', () => {
  it('sends HTML and text with the one-click unsubscribe headers, from the reseller', async () => {
    // Prepare
    const mailer = new SesMailer({
      client: ses.client,
      senderEmail: 'success@reseller.example',
      senderName: 'Northwind Licensing',
      replyToEmail: 'team@reseller.example',
    });

    // Act
    const messageId = await mailer.send(email);

    // Assess
    const [stored] = await ses.emails();
    expect(messageId).toBeTruthy();
    expect(stored).toMatchObject({
      from: '"Northwind Licensing" <success@reseller.example>',
      replyTo: ['team@reseller.example'],
      destination: { to: ['lena.wagner@nordstone.example'] },
      subject: 'Ihre Lizenzen sind bereit',
      body: { html: '<p>Hallo</p>', text: 'Hallo' },
    });
    expect(stored!.headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://unsubscribe.reseller.example/u/token>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('leaves the unsubscribe headers off digests to the reseller’s staff', async () => {
    // Act
    await new SesMailer({
      client: ses.client,
      senderEmail: 'success@reseller.example',
      senderName: 'Northwind',
    }).send({ ...email, unsubscribeUrl: null });

    // Assess
    const [stored] = await ses.emails();
    expect(stored!.headers ?? []).toEqual([]);
  });

  it('retries when SES throttles, and sends once', async () => {
    // Prepare
    const flaky = throttling(2);
    const mailer = new SesMailer({
      client: flaky.client,
      senderEmail: 'success@reseller.example',
      senderName: 'Northwind',
    });

    // Act
    await mailer.send(email);

    // Assess
    expect(flaky.calls()).toBe(3);
    expect(await ses.emails()).toHaveLength(1);
  });

  it('gives up with a retry-later error when throttling persists, having sent nothing', async () => {
    // Prepare
    const mailer = new SesMailer({
      // three attempts rather than the deployed eight, to keep the test short
      client: throttling(100, 3).client,
      senderEmail: 'success@reseller.example',
      senderName: 'Northwind',
    });

    // Act
    const failure = await mailer.send(email).catch((error: unknown) => error);

    // Assess: the SDK tried as often as the shared configuration says, then the step is told to come back later
    expect(failure).toBeInstanceOf(MailerThrottledError);
    expect(await ses.emails()).toHaveLength(0);
  }, 30_000);

  it('encodes a sender name that is not plain ASCII', () => {
    expect(fromAddress('Müller & Söhne', 'a@b.example')).toBe(
      '=?UTF-8?B?TcO8bGxlciAmIFPDtmhuZQ==?= <a@b.example>',
    );
    expect(fromAddress('Say "hi"', 'a@b.example')).toMatch(/^=\?UTF-8\?B\?/);
  });
});
