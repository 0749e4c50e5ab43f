import { MailerThrottledError } from '../ports/mailer';
import { MAX_DELAY_SECONDS } from '../ports/sendQueue';
import { ClaimHeldError, RetryLaterError } from './runStep';

/** Why a step went back to the send queue, for the logs. */
export type WaitReason = 'sending-rate' | 'daily-quota' | 'claim-held' | 'retry-later';

/**
 * How long a step that must wait goes back on the send queue, or null for a failure (SQS redelivers it, and after
 * its last receive it goes to the send dead-letter queue). SES frees its rate within a second, so a rate throttle
 * waits a few seconds, spread so the throttled steps do not return together; its daily quota frees only as the
 * previous day's sends age out, so that waits SQS's longest delay. A claim another invocation holds is released
 * or taken over within its lease.
 */
export function waitOf(error: unknown, random: () => number): { reason: WaitReason; seconds: number } | null {
  if (!(error instanceof RetryLaterError)) return null;
  const throttle = error.cause instanceof MailerThrottledError ? error.cause : undefined;
  if (throttle?.limit === 'daily-quota') return { reason: 'daily-quota', seconds: MAX_DELAY_SECONDS };
  if (throttle) return { reason: 'sending-rate', seconds: 1 + Math.floor(random() * 5) };
  if (error instanceof ClaimHeldError)
    return { reason: 'claim-held', seconds: 60 + Math.floor(random() * 30) };
  return { reason: 'retry-later', seconds: 30 + Math.floor(random() * 30) };
}
