/**
 * What the mail system lets this account send: a rolling 24-hour message count and a per-second rate. The
 * evaluation plans no more customer emails for a day than the daily figure leaves; the sender paces to the rate.
 */
export interface SendingQuota {
  /** Messages in any 24 hours (SES Max24HourSend). */
  dailyMessages: number;
  /** Messages a second (SES MaxSendRate). */
  messagesPerSecond: number;
}

export interface SendingQuotaSource {
  quota(): Promise<SendingQuota>;
}
