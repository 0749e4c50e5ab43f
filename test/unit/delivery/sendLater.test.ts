import { describe, expect, it } from 'vitest';
import { ClaimHeldError, RetryLaterError, SentNotRecordedError } from '../../../lambdas/delivery/runStep';
import { waitOf } from '../../../lambdas/delivery/sendLater';
import { MailerThrottledError } from '../../../lambdas/ports/mailer';

const throttled = (limit: 'rate' | 'daily-quota') =>
  new RetryLaterError('SES is throttling; retry later', {
    cause: new MailerThrottledError('throttled', { limit }),
  });

describe('how long a step waits on the send queue', () => {
  it('waits 15 minutes for the daily quota, and a few seconds, spread, for the sending rate', () => {
    // Act
    const daily = waitOf(throttled('daily-quota'), () => 0.5);
    const rateLow = waitOf(throttled('rate'), () => 0);
    const rateHigh = waitOf(throttled('rate'), () => 0.999);

    // Assess
    expect(daily).toEqual({ reason: 'daily-quota', seconds: 900 });
    expect(rateLow).toEqual({ reason: 'sending-rate', seconds: 1 });
    expect(rateHigh).toEqual({ reason: 'sending-rate', seconds: 5 });
  });

  it('waits about a minute for a claim another invocation holds', () => {
    const held = waitOf(new ClaimHeldError('held'), () => 0);
    expect(held).toEqual({ reason: 'claim-held', seconds: 60 });
  });

  it('does not wait on any other error: the record fails, so SQS counts the receive', () => {
    expect(waitOf(new SentNotRecordedError('sent, not recorded'), Math.random)).toBeNull();
    expect(waitOf(new TypeError('step payload needs a step index'), Math.random)).toBeNull();
    expect(waitOf(new MailerThrottledError('not wrapped by the step'), Math.random)).toBeNull();
  });
});
