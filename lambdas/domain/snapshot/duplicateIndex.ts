// Remembers every customer + product seen in a file, so duplicates are found in one streaming pass.
// An open-addressing table over typed arrays costs about 16–32 bytes per line item, instead of the
// 100+ bytes of a Map of strings: a 50 MB export stays a few MB of index.

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

/**
 * A 32-bit FNV-1a hash of some fields of a row, strings by character and numbers whole, with a separator between
 * fields; hashing the fields in place costs a fraction of building one string of the row and hashing that.
 */
export function contentHash<Row extends object>(row: Row, fields: readonly (keyof Row)[]): number {
  let hash = 0x811c9dc5;
  for (const field of fields) {
    const value = row[field];
    if (typeof value === 'string') {
      for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
    } else if (typeof value === 'number') {
      hash = Math.imul(hash ^ value, 16777619);
    }
    hash = Math.imul(hash ^ 0x1f, 16777619);
  }
  return hash >>> 0;
}

/** A 53-bit fingerprint: two 32-bit FNV-1a hashes, one cut to 21 bits. Never 0 (0 marks an empty slot). */
export function fingerprint(text: string): number {
  const high = fnv1a(text, 2166136261) & 0x1fffff;
  const low = fnv1a(text, 0x9747b28c);
  return high * 4_294_967_296 + low || 1;
}

export type Sighting = { seen: false } | { seen: true; sameContent: boolean; firstLine: number };

export class DuplicateIndex {
  private keys = new Float64Array(1024);
  private lines = new Uint32Array(1024);
  private contents = new Uint32Array(1024);
  private size = 0;

  get count(): number {
    return this.size;
  }

  /** Records the key on its first sighting; on later sightings says whether the content matched the first. */
  sight(key: string, content: number, line: number): Sighting {
    if ((this.size + 1) * 4 > this.keys.length * 3) this.grow();
    const print = fingerprint(key);
    const slot = this.find(this.keys, print);
    if (this.keys[slot] === print) {
      return { seen: true, sameContent: this.contents[slot] === content, firstLine: this.lines[slot]! };
    }
    this.keys[slot] = print;
    this.lines[slot] = line;
    this.contents[slot] = content;
    this.size++;
    return { seen: false };
  }

  private find(keys: Float64Array, print: number): number {
    const mask = keys.length - 1;
    let slot = (print % 4_294_967_296) & mask;
    while (keys[slot] !== 0 && keys[slot] !== print) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { keys, lines, contents } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.lines = new Uint32Array(keys.length * 2);
    this.contents = new Uint32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const print = keys[i]!;
      if (print === 0) continue;
      const slot = this.find(this.keys, print);
      this.keys[slot] = print;
      this.lines[slot] = lines[i]!;
      this.contents[slot] = contents[i]!;
    }
  }
}
