/** One email as it leaves: rendered parts, recipient, and what the mail system needs to track it. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Customer emails carry a one-click unsubscribe link; digests to the reseller's staff do not. */
  unsubscribeUrl: string | null;
  /** Labels for delivery events and metrics, e.g. { play: 'renewal', template: 'renewal' }. */
  tags: Record<string, string>;
}

export interface Mailer {
  /** Returns the mail system's message id. Throws MailerThrottledError when it should be retried later. */
  send(email: OutgoingEmail): Promise<string>;
}

/**
 * Which of the account's sending limits was hit: the per-second rate clears within seconds, the rolling 24-hour
 * quota only as the previous day's sends age out.
 */
export type SendingLimit = 'rate' | 'daily-quota';

/** The mail system asked us to slow down and the retries ran out: try again later, nothing was sent. */
export class MailerThrottledError extends Error {
  override name = 'MailerThrottledError';
  readonly limit: SendingLimit;

  constructor(message: string, options: ErrorOptions & { limit?: SendingLimit } = {}) {
    super(message, options);
    this.limit = options.limit ?? 'rate';
  }
}
