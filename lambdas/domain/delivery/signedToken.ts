import { createHmac, timingSafeEqual } from 'node:crypto';

// The signed links in our emails (unsubscribe, owner actions) share one token form: a JSON array of strings in
// unpadded base64url, a dot, and its HMAC-SHA256 in unpadded base64url. Readable on purpose: a token holds
// nothing its recipient does not know; the MAC only keeps anyone from editing it.

const encode = (text: string | Buffer) => Buffer.from(text).toString('base64url');

/** Payload and MAC in unpadded base64url, nothing else; an HMAC-SHA256 is 32 bytes, 43 characters. */
const TOKEN = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;

export type SignedCheck = { valid: true; parts: string[] } | { valid: false; reason: 'malformed' | 'forged' };

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signParts(parts: readonly string[], secret: string): string {
  const payload = encode(JSON.stringify(parts));
  return `${payload}.${encode(signature(secret, payload))}`;
}

/**
 * The parts of a genuine token with `count` parts (or any of the counts given). Anything else is refused with its reason: a token in another
 * form than the one we issue (padding, standard base64, spare bits in the last character) even if it decodes to
 * the same bytes, a wrong MAC, or a payload that is not an array of `count` strings.
 */
export function verifyParts(token: string, secret: string, count: number | readonly number[]): SignedCheck {
  const counts: readonly number[] = typeof count === 'number' ? [count] : count;
  const match = TOKEN.exec(token);
  if (!match) return { valid: false, reason: 'malformed' };
  const [, payload, mac] = match as unknown as [string, string, string];
  const given = Buffer.from(mac, 'base64url');
  const decoded = Buffer.from(payload, 'base64url');
  if (encode(given) !== mac || encode(decoded) !== payload) return { valid: false, reason: 'malformed' };
  const expected = signature(secret, payload);
  // Constant-time comparison, so response timing tells an attacker nothing about the signature.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { valid: false, reason: 'forged' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.toString('utf8'));
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  if (
    !Array.isArray(parsed) ||
    !counts.includes(parsed.length) ||
    !parsed.every((p) => typeof p === 'string')
  )
    return { valid: false, reason: 'malformed' };
  return { valid: true, parts: parsed as string[] };
}
