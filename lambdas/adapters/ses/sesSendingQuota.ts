import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { SendingQuota, SendingQuotaSource } from '../../ports/sendingQuota';

/** A quota read is cheap but counts against the SES API rate: one answer serves a warm function this long. */
const KEEP_MS = 5 * 60_000;

export class SendingQuotaError extends Error {
  override name = 'SendingQuotaError';
}

/**
 * The account's SES sending quota, from GetAccount, unless the reseller's settings state one (an account whose
 * quota is shared with other senders, or a test of the planning). SES can raise the quota at any time, so it is
 * read again after a few minutes rather than once per container.
 */
export class SesSendingQuota implements SendingQuotaSource {
  private cached: { quota: SendingQuota; at: number } | undefined;

  constructor(
    private readonly client: SESv2Client,
    private readonly override?: SendingQuota,
    private readonly clock: () => number = Date.now,
  ) {}

  async quota(): Promise<SendingQuota> {
    if (this.override) return this.override;
    const now = this.clock();
    if (this.cached && now - this.cached.at < KEEP_MS) return this.cached.quota;
    const account = await this.client.send(new GetAccountCommand({}));
    const daily = account.SendQuota?.Max24HourSend;
    const rate = account.SendQuota?.MaxSendRate;
    if (!daily || !rate || daily < 1 || rate <= 0)
      throw new SendingQuotaError('SES GetAccount answered without a sending quota');
    const quota = { dailyMessages: Math.floor(daily), messagesPerSecond: rate };
    this.cached = { quota, at: now };
    return quota;
  }
}
