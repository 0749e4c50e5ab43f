import { isAscii, isUtf8 } from 'node:buffer';
import { SnapshotFileError } from './errors';

// Exports arrive as UTF-8 (with or without BOM), as Excel's "Unicode text" (UTF-16 with BOM) or, from older tools,
// as Windows-1252. UTF-8 passes through as bytes (the fast path); the others are decoded to text here, so that no
// reader ever shows a customer name garbled.

type Chunk = Uint8Array | string;

/** Bytes at the end of a chunk that begin a UTF-8 sequence the next chunk completes. */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = bytes[n - back]!;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > back ? back : 0;
    }
  }
  return 0;
}

function utf16Of(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // Without a BOM: the high bytes of ASCII text are zero.
  if (head.length >= 4 && head[1] === 0 && head[3] === 0 && head[0] !== 0) return 'utf-16le';
  if (head.length >= 4 && head[0] === 0 && head[2] === 0 && head[1] !== 0) return 'utf-16be';
  return null;
}

/**
 * The input as UTF-8 bytes or decoded text. `warn` hears of a file read as Windows-1252; a file that mixes UTF-8
 * with another encoding is refused, since no single reading of it is right.
 */
export async function* decodedInput(
  input: AsyncIterable<Chunk>,
  warn: (message: string) => void,
): AsyncGenerator<Chunk> {
  let carry: Uint8Array | null = null;
  let decoder: { decode(input?: Uint8Array, options?: { stream?: boolean }): string } | null = null;
  let sawNonAscii = false;
  let bytesPassed = 0;
  let first = true;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield chunk;
      continue;
    }
    let bytes: Uint8Array = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    if (first) {
      if (bytes.length < 4) {
        carry = bytes;
        continue;
      }
      first = false;
      const utf16 = utf16Of(bytes);
      if (utf16) decoder = new TextDecoder(utf16);
    }
    if (decoder) {
      yield decoder.decode(bytes, { stream: true });
      continue;
    }
    const tail = incompleteTail(bytes);
    if (tail > 0) {
      carry = bytes.slice(bytes.length - tail);
      bytes = bytes.subarray(0, bytes.length - tail);
    }
    if (isUtf8(bytes)) {
      if (!sawNonAscii && !isAscii(bytes)) sawNonAscii = true;
      bytesPassed += bytes.length;
      yield bytes;
      continue;
    }
    if (sawNonAscii) {
      throw new SnapshotFileError(
        `the file mixes UTF-8 with another encoding (after byte ${bytesPassed}): save it again as UTF-8`,
      );
    }
    warn(
      'the file is not UTF-8: it was read as Windows-1252 (Western European); save it as UTF-8 to be sure',
    );
    decoder = new TextDecoder('windows-1252');
    if (carry) {
      bytes = Buffer.concat([bytes, carry]);
      carry = null;
    }
    yield decoder.decode(bytes, { stream: true });
  }
  if (carry) {
    if (decoder || !isUtf8(carry)) {
      if (!decoder) {
        if (sawNonAscii)
          throw new SnapshotFileError('the file ends inside a UTF-8 character: save it again as UTF-8');
        warn(
          'the file is not UTF-8: it was read as Windows-1252 (Western European); save it as UTF-8 to be sure',
        );
        decoder = new TextDecoder('windows-1252');
      }
      yield decoder.decode(carry, { stream: true });
    } else yield carry;
  }
  if (decoder) {
    const last = decoder.decode();
    if (last) yield last;
  }
}
