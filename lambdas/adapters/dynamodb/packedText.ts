import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Text stored deflated, as a binary attribute. A customer's state and history and a case's JSON are written and
 * read whole, never by path, and every nightly Scan reads all of them: deflated they are a third to a sixth of
 * their size, and DynamoDB bills reads and writes by the kilobyte (AWS advises compressing large attribute
 * values). Deflating a few kilobytes takes tens of microseconds; reading them uncompressed costs more.
 */
export type PackedText = Uint8Array;

/** A 4 KB window: most values are one or two kilobytes, and a larger window costs more to set up than it saves. */
const DEFLATE = { level: 6, windowBits: 12, memLevel: 8 };

export function packText(text: string): PackedText {
  return deflateRawSync(text, DEFLATE);
}

/** The text of a packed value; a string is returned as it is (items written before values were packed). */
export function unpackText(value: PackedText | string): string {
  return typeof value === 'string' ? value : inflateRawSync(value).toString('utf8');
}

export function isPacked(value: unknown): value is PackedText {
  return value instanceof Uint8Array;
}
