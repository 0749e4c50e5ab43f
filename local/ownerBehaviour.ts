import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { addDays, type IsoDate } from '../lambdas/domain/dates';
import { functionUrlRequest } from './awsEvents';

// The account owners and team leads of the local run: they read their digests and act on a share of the tasks a
// day or two later, by POSTing the digest's own links to the action handler, as a browser would after the
// confirmation page. What each does is decided by a hash of the run's seed and the task, so a seed gives one run.

/** Where the local run's digests point their action links. */
export const LOCAL_ACTION_BASE_URL = 'https://actions.reseller.example';

const LINK = /href="https:\/\/actions\.reseller\.example\/a\/([A-Za-z0-9_.-]+)"/g;

/** Out of 100 tasks an owner sees: how many they mark done, snooze, or answer by pausing the customer. */
const SHARES = { done: 40, snooze: 15, pause: 4 } as const;
/** Out of 100 paused customers listed in a digest: how many the owner resumes early. */
const RESUME_SHARE = 10;

interface Click {
  day: IsoDate;
  token: string;
}

export interface SimulatedOwnersOptions {
  seed: number;
  /** The owner-action function, as its URL invokes it. */
  handler: (event: APIGatewayProxyEventV2) => Promise<unknown>;
  now: () => Date;
}

export class SimulatedOwners {
  private readonly decided = new Set<string>();
  private readonly planned: Click[] = [];

  constructor(private readonly options: SimulatedOwnersOptions) {}

  /** A digest went out on `day`: the recipient decides, per task, what to do and when. */
  readDigest(html: string, day: IsoDate): void {
    const links = new Map<string, Map<string, string>>();
    for (const [, token] of html.matchAll(LINK)) {
      const parts = partsOf(token!);
      if (!parts) continue;
      const [action, , customerId, , , taskId] = parts;
      // Links of one task share its id; a Resume link belongs to its customer.
      const subject = action === 'resume' ? `resume|${customerId}|${day}` : `task|${taskId}`;
      const actions = links.get(subject) ?? new Map<string, string>();
      actions.set(action!, token!);
      links.set(subject, actions);
    }
    for (const [subject, actions] of links) {
      if (this.decided.has(subject)) continue;
      this.decided.add(subject);
      const roll = this.roll(subject, 'what');
      const when = addDays(day, 1 + (this.roll(subject, 'when') % 2));
      let action: string | null = null;
      if (actions.has('resume')) action = roll < RESUME_SHARE ? 'resume' : null;
      else if (roll < SHARES.done) action = 'done';
      else if (roll < SHARES.done + SHARES.snooze) action = 'snooze';
      else if (roll < SHARES.done + SHARES.snooze + SHARES.pause) action = 'pause';
      const token = action ? actions.get(action) : undefined;
      if (token) this.planned.push({ day: when, token });
    }
  }

  /** The clicks planned for `day`, each a POST of the confirmation form to the link's address. */
  async act(day: IsoDate): Promise<void> {
    const due = this.planned.filter((c) => c.day <= day);
    this.planned.splice(0, this.planned.length, ...this.planned.filter((c) => c.day > day));
    for (const click of due) {
      await this.options.handler(
        functionUrlRequest(
          'POST',
          `${LOCAL_ACTION_BASE_URL}/a/${click.token}`,
          'confirm=yes',
          this.options.now(),
        ),
      );
    }
  }

  private roll(subject: string, purpose: string): number {
    const hash = createHash('sha256').update(`${this.options.seed}|${purpose}|${subject}`).digest();
    return hash.readUInt32BE(0) % 100;
  }
}

/** A link's token is readable by design (the MAC only guards it): its parts tell which task it acts on. */
function partsOf(token: string): string[] | null {
  try {
    const parts = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(parts) ? (parts as string[]) : null;
  } catch {
    return null;
  }
}
