import { describe, expect, it } from 'vitest';
import { PacedMailer } from '../../../lambdas/delivery/pacedMailer';
import { type Mailer, MailerThrottledError, type OutgoingEmail } from '../../../lambdas/ports/mailer';
import { mapWithConcurrency } from '../../../lambdas/shared/concurrency';
import { virtualClock } from '../../../local/virtualClock';

/** A mail system that notes the clock's time of every send it accepts. */
function recordingMailer(now: () => number, fail?: (call: number) => Error | undefined) {
  const sentAt: number[] = [];
  let calls = 0;
  const mailer: Mailer = {
    async send() {
      const error = fail?.(++calls);
      if (error) throw error;
      sentAt.push(now());
      return `m-${sentAt.length}`;
    },
  };
  return { mailer, sentAt };
}

const email = (i: number): OutgoingEmail => ({
  to: `admin${i}@customer.example`,
  subject: 'Welcome',
  html: '<p>Welcome</p>',
  text: 'Welcome',
  unsubscribeUrl: null,
  tags: {},
});

const quota = (messagesPerSecond: number) => ({
  quota: async () => ({ dailyMessages: 50_000, messagesPerSecond }),
});

/** The most sends in any one second (a window (t - 1000, t]). */
function mostInOneSecond(times: number[]): number {
  let most = 0;
  for (const [i, t] of times.entries())
    most = Math.max(most, times.slice(0, i + 1).filter((u) => u > t - 1000).length);
  return most;
}

describe('paced mailer', () => {
  it('keeps a sender to its share of the rate over a burst, with several sends in flight', async () => {
    // Prepare: 14 a second shared by two senders; one sender gets 100 emails at once
    const clock = virtualClock();
    const { mailer, sentAt } = recordingMailer(clock.now);
    const paced = new PacedMailer(mailer, { quota: quota(14), senders: 2, clock, maxWaitMs: 60_000 });

    // Act
    await mapWithConcurrency(
      Array.from({ length: 100 }, (_, i) => i),
      4,
      (i) => paced.send(email(i)),
    );

    // Assess: all sent, seven a second at most, so the 100 take about 100 / 7 seconds
    expect(sentAt).toHaveLength(100);
    expect(mostInOneSecond(sentAt)).toBeLessThanOrEqual(7);
    expect(sentAt.at(-1)).toBeGreaterThanOrEqual(99 * (1000 / 7));
    expect(sentAt.at(-1)).toBeLessThan(100 * (1000 / 7) + 1000);
  });

  it('refuses a send whose turn is further away than it may wait, as throttled, sending nothing', async () => {
    // Prepare: one a second between two senders is a turn every two seconds; the sender may wait five
    const clock = virtualClock();
    const { mailer, sentAt } = recordingMailer(clock.now);
    const paced = new PacedMailer(mailer, { quota: quota(1), senders: 2, clock, maxWaitMs: 5_000 });

    // Act: six sends asked for at once
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => paced.send(email(i)).catch((error: Error) => error)),
    );

    // Assess: turns at 0, 2, 4 s; the others are told to come back later (the rate, not the daily quota)
    expect(sentAt).toEqual([0, 2000, 4000]);
    const refused = outcomes.filter((o) => o instanceof MailerThrottledError) as MailerThrottledError[];
    expect(refused).toHaveLength(3);
    expect(refused.every((e) => e.limit === 'rate')).toBe(true);
  });

  it('pauses for a second after SES throttles the rate, and passes the error on', async () => {
    // Prepare: the second send is throttled by SES
    const clock = virtualClock(10_000);
    const throttled = new MailerThrottledError('Maximum sending rate exceeded.', { limit: 'rate' });
    const { mailer, sentAt } = recordingMailer(clock.now, (call) => (call === 2 ? throttled : undefined));
    const paced = new PacedMailer(mailer, { quota: quota(100), senders: 2, clock });

    // Act
    await paced.send(email(1));
    const second = await paced.send(email(2)).catch((error: Error) => error);
    await paced.send(email(3));

    // Assess: the third waits a second after the throttle instead of the usual 20 ms
    expect(second).toBe(throttled);
    expect(sentAt).toEqual([10_000, 10_020 + 1000]);
  });
});
