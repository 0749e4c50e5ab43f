import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../lambdas/adapters/ses/sesMailer';
import { SesSendingQuota } from '../../../lambdas/adapters/ses/sesSendingQuota';
import { MailerThrottledError } from '../../../lambdas/ports/mailer';
import type { SendingQuota } from '../../../lambdas/ports/sendingQuota';
import { type LocalSes, startSes } from '../../../local/emulators';

// The local SES enforces the account's sending quota on the run's clock and answers as SES does; the mailer, through
// the step function's own SES client, tells the two limits apart.

let ses: LocalSes;
afterEach(async () => {
  await ses.close();
});

const email = (i: number) => ({
  to: `admin${i}@customer.example`,
  subject: 'Welcome',
  html: '<p>Welcome</p>',
  text: 'Welcome',
  unsubscribeUrl: null,
  tags: { play: 'welcome' },
});

async function emulatorWith(quota: SendingQuota, at: { now: Date }) {
  ses = await startSes(quota);
  await ses.clear();
  ses.useClock(() => at.now);
  return new SesMailer({
    client: ses.senderClient,
    senderEmail: 'success@reseller.example',
    senderName: 'CS',
  });
}

describe('the local SES quota', () => {
  it('answers GetAccount with the quota it enforces', async () => {
    // Prepare
    await emulatorWith({ dailyMessages: 200, messagesPerSecond: 1 }, { now: new Date() });

    // Act
    const account = await ses.client.send(new GetAccountCommand({}));
    const quota = await new SesSendingQuota(ses.client).quota();

    // Assess
    expect(account.SendQuota).toMatchObject({ Max24HourSend: 200, MaxSendRate: 1 });
    expect(quota).toEqual({ dailyMessages: 200, messagesPerSecond: 1 });
  });

  it('refuses a send above the rate as "Maximum sending rate exceeded", and takes it a second later', async () => {
    // Prepare: two a second, three asked for in the same instant
    const clock = { now: new Date('2026-03-02T08:30:00Z') };
    const mailer = await emulatorWith({ dailyMessages: 1000, messagesPerSecond: 2 }, clock);

    // Act
    const first = await Promise.all([0, 1, 2].map((i) => mailer.send(email(i)).catch((e: Error) => e)));
    clock.now = new Date(clock.now.getTime() + 1000);
    const later = await mailer.send(email(3));

    // Assess
    const refused = first.filter((r) => r instanceof MailerThrottledError) as MailerThrottledError[];
    expect(refused).toHaveLength(1);
    expect(refused[0]!.limit).toBe('rate');
    expect(refused[0]!.message).toContain('Maximum sending rate exceeded');
    expect(typeof later).toBe('string');
    expect(await ses.emails()).toHaveLength(3);
    expect(ses.refused.rate).toBeGreaterThanOrEqual(1);
  });

  it('refuses a send over the rolling 24 hours as "Daily message quota exceeded", until the first send ages out', async () => {
    // Prepare: two a day
    const clock = { now: new Date('2026-03-02T08:30:00Z') };
    const mailer = await emulatorWith({ dailyMessages: 2, messagesPerSecond: 14 }, clock);
    await mailer.send(email(0));
    clock.now = new Date('2026-03-02T12:00:00Z');
    await mailer.send(email(1));

    // Act
    clock.now = new Date('2026-03-03T08:00:00Z');
    const sameDay = await mailer.send(email(2)).catch((e: Error) => e);
    clock.now = new Date('2026-03-03T08:31:00Z');
    const dayAfter = await mailer.send(email(2));

    // Assess
    expect(sameDay).toBeInstanceOf(MailerThrottledError);
    expect((sameDay as MailerThrottledError).limit).toBe('daily-quota');
    expect((sameDay as Error).message).toContain('Daily message quota exceeded');
    expect(typeof dayAfter).toBe('string');
    expect(await ses.emails()).toHaveLength(3);
  });
});
