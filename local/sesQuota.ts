import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SendingQuota } from '../lambdas/ports/sendingQuota';

// SES's sending limits in front of aws-ses-v2-local, which has none: a loopback HTTP proxy that counts the sends
// (SES v2 SendEmail) on the run's clock and answers a send over a limit as SES does, with
// TooManyRequestsException (HTTP 429) and the message that names the limit. Everything else goes through.

const DAY_MS = 24 * 3600_000;

/**
 * The account's two limits on a clock: a rolling 24-hour count of accepted sends, and a per-second rate kept as a
 * bucket of one second's sends that refills continuously (so a sender pacing at the rate is never refused, while
 * a burst above it is). A refused send counts against neither.
 */
export class SendingLimits {
  private readonly sent: number[] = [];
  private oldest = 0;
  private tokens: number;
  private refilledAt: number | undefined;

  constructor(
    readonly quota: SendingQuota,
    private readonly now: () => number,
  ) {
    this.tokens = quota.messagesPerSecond;
  }

  /** Takes one send, or says which limit refuses it. */
  admit(): 'accepted' | 'rate' | 'daily-quota' {
    const now = this.now();
    while (this.oldest < this.sent.length && this.sent[this.oldest]! <= now - DAY_MS) this.oldest++;
    if (this.sent.length - this.oldest >= this.quota.dailyMessages) return 'daily-quota';
    const capacity = Math.max(1, this.quota.messagesPerSecond);
    const elapsed = this.refilledAt === undefined ? 0 : Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(capacity, this.tokens + (elapsed * this.quota.messagesPerSecond) / 1000);
    this.refilledAt = Math.max(now, this.refilledAt ?? now);
    if (this.tokens < 1) return 'rate';
    this.tokens -= 1;
    this.sent.push(now);
    return 'accepted';
  }

  /** Sends accepted in the 24 hours before now. */
  sentLast24Hours(): number {
    const now = this.now();
    return this.sent.filter((t) => t > now - DAY_MS).length;
  }
}

const MESSAGES = {
  rate: 'Maximum sending rate exceeded.',
  'daily-quota': 'Daily message quota exceeded.',
} as const;

/** Starts the proxy on a loopback port in front of `upstream`; returns its address and how to stop it. */
export async function startQuotaProxy(
  upstream: string,
  limits: SendingLimits,
): Promise<{ endpoint: string; server: Server; refused: Record<'rate' | 'daily-quota', number> }> {
  const target = new URL(upstream);
  const refused = { rate: 0, 'daily-quota': 0 };
  const server = createServer((incoming, outgoing) => {
    const isSend = incoming.method === 'POST' && incoming.url?.split('?')[0] === '/v2/email/outbound-emails';
    const verdict = isSend ? limits.admit() : 'accepted';
    if (verdict !== 'accepted') {
      refused[verdict]++;
      incoming.resume();
      outgoing.writeHead(429, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'TooManyRequestsException',
      });
      outgoing.end(JSON.stringify({ message: MESSAGES[verdict] }));
      return;
    }
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, server, refused };
}
