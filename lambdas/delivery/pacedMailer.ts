import { type Mailer, MailerThrottledError, type OutgoingEmail } from '../ports/mailer';
import type { SendingQuotaSource } from '../ports/sendingQuota';
import { sleep } from '../shared/concurrency';

/** Time as the sender sees it: in Lambda the wall clock; locally and in tests a virtual one that sleeping moves. */
export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const WALL_CLOCK: PacingClock = { now: () => Date.now(), sleep };

export interface PacedMailerOptions {
  /** The account's sending quota; its rate is shared by every sender running at once. */
  quota: SendingQuotaSource;
  /** Senders that may run at once (the send queue's maximum concurrency): each takes this share of the rate. */
  senders: number;
  clock?: PacingClock;
  /**
   * The longest a send waits for its turn. A send that would wait longer is refused as throttled (nothing is sent,
   * the step goes back to the queue), so a small rate never runs an invocation into its timeout.
   */
  maxWaitMs?: number;
}

/** What an SES rate throttle costs the sender: a second with no send, as SES counts the last second. */
const PAUSE_AFTER_THROTTLE_MS = 1000;

/**
 * A Mailer that waits for its turn before each send, so this sender never asks SES for more than its share of the
 * account's MaxSendRate. Turns are handed out in call order, one interval apart, so several sends may be in flight
 * (rendering, the ledger) while only the pace reaches SES.
 */
export class PacedMailer implements Mailer {
  private nextTurn = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly mailer: Mailer,
    private readonly options: PacedMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const clock = this.options.clock ?? WALL_CLOCK;
    const { messagesPerSecond } = await this.options.quota.quota();
    const interval = Math.ceil((1000 * this.options.senders) / messagesPerSecond);
    const now = clock.now();
    const turn = Math.max(now, this.nextTurn);
    if (turn - now > (this.options.maxWaitMs ?? 20_000))
      throw new MailerThrottledError(`this sender's turns are taken for the next ${turn - now} ms`, {
        limit: 'rate',
      });
    this.nextTurn = turn + interval;
    if (turn > now) await clock.sleep(turn - now);
    try {
      return await this.mailer.send(email);
    } catch (error) {
      // SES counted more than this sender did (another sender on the account, a quota just lowered): pause.
      if (error instanceof MailerThrottledError && error.limit === 'rate')
        this.nextTurn = Math.max(this.nextTurn, clock.now() + PAUSE_AFTER_THROTTLE_MS);
      throw error;
    }
  }
}
