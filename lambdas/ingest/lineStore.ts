import type { IsoDate } from '../domain/dates';

export interface StoredLine {
  product: string;
  licensesPurchased: number;
  licensesAssigned: number;
  activeUsers: number;
  termStart: IsoDate;
  termEnd: IsoDate;
}

const REMOVED = 0xffffffff;
const NONE = 0xffffffff;

/**
 * Every customer's product lines while a file streams, in typed-array columns: 28 bytes a line, with product
 * names and dates stored once each. A 200,000-row file costs a few MB here instead of the file's size in objects.
 */
export class LineStore {
  private capacity = 1024;
  private size = 0;
  private product = new Uint32Array(this.capacity);
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
    this.purchased[i] = line.licensesPurchased;
    this.assigned[i] = line.licensesAssigned;
    this.active[i] = line.activeUsers;
    this.start[i] = this.word(line.termStart);
    this.end[i] = this.word(line.termEnd);
    this.next[i] = NONE;
    const head = this.heads.get(customerId);
    if (head) {
      this.next[head.last] = i;
      head.last = i;
    } else {
      this.heads.set(customerId, { first: i, last: i });
    }
  }

  /** Drops a customer's line for a product (a conflicting duplicate found later in the file). */
  remove(customerId: string, product: string): void {
    const head = this.heads.get(customerId);
    const id = this.wordIds.get(product);
    if (!head || id === undefined) return;
    for (let i = head.first; i !== NONE; i = this.next[i]!)
      if (this.product[i] === id) this.product[i] = REMOVED;
    if (this.linesOf(customerId).length === 0) this.heads.delete(customerId);
  }

  linesOf(customerId: string): StoredLine[] {
    const head = this.heads.get(customerId);
    const lines: StoredLine[] = [];
    if (!head) return lines;
    for (let i = head.first; i !== NONE; i = this.next[i]!) {
      if (this.product[i] === REMOVED) continue;
      lines.push({
        product: this.words[this.product[i]!]!,
        licensesPurchased: this.purchased[i]!,
        licensesAssigned: this.assigned[i]!,
        activeUsers: this.active[i]!,
        termStart: this.words[this.start[i]!]!,
        termEnd: this.words[this.end[i]!]!,
      });
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
    this.product = widen(this.product);
    this.purchased = widen(this.purchased);
    this.assigned = widen(this.assigned);
    this.active = widen(this.active);
    this.start = widen(this.start);
    this.end = widen(this.end);
    this.next = widen(this.next);
  }
}
