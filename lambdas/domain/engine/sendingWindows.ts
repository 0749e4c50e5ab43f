// SES counts its daily quota over any 24 hours, not per calendar day, and a day's 09:30s reach SES at different
// instants across the time zones: an Auckland 09:30 is the previous evening in UTC, a Los Angeles one the next
// afternoon. So customer emails are counted by the quarter hour of the instant they go out (zones are offset by
// whole quarter hours, so every send falls at the same minute of some quarter), and no 96 consecutive quarters
// (24 hours) may carry more than the quota leaves for customer emails.

const QUARTER_MS = 15 * 60_000;
/** Quarters in 24 hours: a rolling window of the SES daily quota. */
const WINDOW = 96;

/** The quarter hour an instant falls in, counted from the epoch. */
export function quarterOf(instant: Date): number {
  return Math.floor(instant.getTime() / QUARTER_MS);
}

/** How a quarter is written where counts are kept: its start, `2026-03-02T08:30Z` (sorts as time does). */
export function quarterKey(quarter: number): string {
  return `${new Date(quarter * QUARTER_MS).toISOString().slice(0, 16)}Z`;
}

export function quarterFromKey(key: string): number {
  return quarterOf(new Date(`${key.slice(0, 16)}:00Z`));
}

/** The room the sending quota leaves for the emails planned tonight. */
export interface EmailRoom {
  /** Customer emails any 24 hours may carry. */
  perWindow: number;
  /** Customer emails already planned (every shard, every earlier night), by quarter (see quarterOf). */
  planned: ReadonlyMap<number, number>;
  /**
   * A shard of a split night: in every window it takes no more than its equal share of what the others had left
   * when it read the counts, so the shards together never exceed the quota whatever order they run in.
   */
  share?: { index: number; count: number };
}

/** The windows as tonight's emails are placed. */
export class SendingWindows {
  private readonly added = new Map<number, number>();
  /** Occupied quarters (planned or added), in order: the only places a window's count changes. */
  private readonly occupied: number[];
  /** A quarter found full stays full: counts only grow while a night is planned. */
  private readonly full = new Set<number>();

  constructor(private readonly room: EmailRoom) {
    this.occupied = [...room.planned.keys()].sort((a, b) => a - b);
  }

  /** Takes room for one email sent in this quarter; false, taking nothing, when some window through it is full. */
  take(quarter: number): boolean {
    if (this.full.has(quarter)) return false;
    const near = this.occupiedWithin(quarter - WINDOW + 1, quarter + WINDOW - 1);
    // A window's counts change only where a quarter enters or leaves it: those starts are the ones to check.
    const starts = new Set([quarter - WINDOW + 1, quarter]);
    for (const q of near) {
      if (q + 1 > quarter - WINDOW + 1 && q + 1 <= quarter) starts.add(q + 1);
      if (q - WINDOW + 1 > quarter - WINDOW + 1 && q - WINDOW + 1 <= quarter) starts.add(q - WINDOW + 1);
    }
    for (const start of starts) {
      let planned = 0;
      let added = 0;
      for (const q of near) {
        if (q < start || q >= start + WINDOW) continue;
        planned += this.room.planned.get(q) ?? 0;
        added += this.added.get(q) ?? 0;
      }
      if (added + 1 > this.shareOf(this.room.perWindow - planned)) {
        this.full.add(quarter);
        return false;
      }
    }
    const count = this.added.get(quarter);
    if (count === undefined) this.insert(quarter);
    this.added.set(quarter, (count ?? 0) + 1);
    return true;
  }

  private shareOf(left: number): number {
    const share = this.room.share;
    if (left <= 0) return 0;
    if (!share) return left;
    return Math.floor(left / share.count) + (share.index < left % share.count ? 1 : 0);
  }

  private occupiedWithin(from: number, to: number): number[] {
    const found: number[] = [];
    for (let i = this.firstAtOrAfter(from); i < this.occupied.length && this.occupied[i]! <= to; i++)
      found.push(this.occupied[i]!);
    return found;
  }

  private firstAtOrAfter(quarter: number): number {
    let low = 0;
    let high = this.occupied.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.occupied[middle]! < quarter) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private insert(quarter: number): void {
    const at = this.firstAtOrAfter(quarter);
    if (this.occupied[at] !== quarter) this.occupied.splice(at, 0, quarter);
  }
}
