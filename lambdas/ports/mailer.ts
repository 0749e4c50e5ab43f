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

/** The mail system asked us to slow down and the retries ran out: try again later, nothing was sent. */
export class MailerThrottledError extends Error {
  override name = 'MailerThrottledError';
}
