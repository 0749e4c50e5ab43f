import type { IsoDate } from '../domain/dates';
import { lineKeyOf } from '../domain/snapshot/snapshotRow';

export interface StoredLine {
  product: string;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number | null;
  termStart: IsoDate;
  termEnd: IsoDate | null;
  subscriptionId?: string;
  autoRenew?: boolean;
  productName?: string;
}

const REMOVED = 0xffffffff;
const NONE = 0xffffffff;
const UNKNOWN = 0xffffffff;
const AUTO_RENEW_UNSAID = 2;

/**
 * Every customer's product lines while a file streams, in typed-array columns: about 40 bytes a line, with
 * product names, subscription ids and dates stored once each. A 200,000-row file costs a few MB here instead of the file's size in objects.
 */
export class LineStore {
  private capacity = 1024;
  private size = 0;
  private product = new Uint32Array(this.capacity);
  /** Subscription ids are unique per line: kept as they are, not interned. */
  private readonly subscription: (string | undefined)[] = [];
  private productName = new Uint32Array(this.capacity);
  private autoRenew = new Uint8Array(this.capacity);
  private purchased = new Uint32Array(this.capacity);
  private assigned = new Uint32Array(this.capacity);
  private active = new Uint32Array(this.capacity);
  private start = new Uint32Array(this.capacity);
  private end = new Uint32Array(this.capacity);
  private next = new Uint32Array(this.capacity);
  private readonly words: string[] = [];
  private readonly wordIds = new Map<string, number>();
  private readonly heads = new Map<string, { first: number; last: number }>();

  get customers(): number {
    return this.heads.size;
  }

  customerIds(): IterableIterator<string> {
    return this.heads.keys();
  }

  add(customerId: string, line: StoredLine): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.product[i] = this.word(line.product);
    this.subscription[i] = line.subscriptionId;
    this.productName[i] = line.productName === undefined ? NONE : this.word(line.productName);
    this.autoRenew[i] = line.autoRenew === undefined ? AUTO_RENEW_UNSAID : line.autoRenew ? 1 : 0;
    this.purchased[i] = line.licensesPurchased;
    this.assigned[i] = line.licensesAssigned;
    this.active[i] = line.activeUsers ?? UNKNOWN;
    this.start[i] = this.word(line.termStart);
    this.end[i] = line.termEnd === null ? NONE : this.word(line.termEnd);
    this.next[i] = NONE;
    const head = this.heads.get(customerId);
    if (head) {
      this.next[head.last] = i;
      head.last = i;
    } else {
      this.heads.set(customerId, { first: i, last: i });
    }
  }

  /** Drops a customer's line (a conflicting duplicate found later in the file, or a row combined into a later one). */
  remove(customerId: string, lineKey: string): void {
    const head = this.heads.get(customerId);
    if (!head) return;
    for (let i = head.first; i !== NONE; i = this.next[i]!) {
      if (this.product[i] === REMOVED) continue;
      const line = { product: this.words[this.product[i]!]!, subscriptionId: this.subscription[i] };
      if (lineKeyOf(line) === lineKey) this.product[i] = REMOVED;
    }
    if (this.linesOf(customerId).length === 0) this.heads.delete(customerId);
  }

  linesOf(customerId: string): StoredLine[] {
    const head = this.heads.get(customerId);
    const lines: StoredLine[] = [];
    if (!head) return lines;
    for (let i = head.first; i !== NONE; i = this.next[i]!) {
      if (this.product[i] === REMOVED) continue;
      const line: StoredLine = {
        product: this.words[this.product[i]!]!,
        licensesPurchased: this.purchased[i]!,
        licensesAssigned: this.assigned[i]!,
        activeUsers: this.active[i] === UNKNOWN ? null : this.active[i]!,
        termStart: this.words[this.start[i]!]!,
        termEnd: this.end[i] === NONE ? null : this.words[this.end[i]!]!,
      };
      if (this.subscription[i] !== undefined) line.subscriptionId = this.subscription[i];
      if (this.productName[i] !== NONE) line.productName = this.words[this.productName[i]!]!;
      if (this.autoRenew[i] !== AUTO_RENEW_UNSAID) line.autoRenew = this.autoRenew[i] === 1;
      lines.push(line);
    }
    return lines;
  }

  private word(text: string): number {
    let id = this.wordIds.get(text);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(text);
      this.wordIds.set(text, id);
    }
    return id;
  }

  private grow(): void {
    this.capacity *= 2;
    const widen = (old: Uint32Array) => {
      const wider = new Uint32Array(this.capacity);
      wider.set(old);
      return wider;
    };
    const wider = new Uint8Array(this.capacity);
    wider.set(this.autoRenew);
    this.autoRenew = wider;
    this.product = widen(this.product);
    this.productName = widen(this.productName);
    this.purchased = widen(this.purchased);
    this.assigned = widen(this.assigned);
    this.active = widen(this.active);
    this.start = widen(this.start);
    this.end = widen(this.end);
    this.next = widen(this.next);
  }
}
