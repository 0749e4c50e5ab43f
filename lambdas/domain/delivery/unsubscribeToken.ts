import { createHmac, timingSafeEqual } from 'node:crypto';
import { daysBetween, type IsoDate, isIsoDate } from '../dates';
import { isLocale, type Locale } from '../locales';

// An unsubscribe link carries who it is for, signed with HMAC-SHA256 so nobody can unsubscribe someone else by
// editing the link. The payload is small and readable on purpose: it holds nothing the recipient does not know.

export interface UnsubscribeClaims {
  email: string;
  customerId: string;
  locale: Locale;
  issuedOn: IsoDate;
}

const encode = (text: string | Buffer) => Buffer.from(text).toString('base64url');

/** A link stops working a year after the email that carried it: an old forwarded email unsubscribes nobody. */
export const UNSUBSCRIBE_TOKEN_DAYS = 365;

/** Payload and MAC in unpadded base64url, nothing else; an HMAC-SHA256 is 32 bytes, 43 characters. */
const TOKEN = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;

export type TokenCheck =
  | { valid: true; claims: UnsubscribeClaims }
  | { valid: false; reason: 'malformed' | 'forged' | 'expired' };

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signUnsubscribeToken(claims: UnsubscribeClaims, secret: string): string {
  const payload = encode(JSON.stringify([claims.email, claims.customerId, claims.locale, claims.issuedOn]));
  return `${payload}.${encode(signature(secret, payload))}`;
}

/**
 * The claims of a genuine, current token. Anything else is refused with its reason: a token in another form than
 * the one we issue (padding, standard base64, spare bits in the last character) even if it decodes to the same
 * bytes, a wrong MAC, or a token older than a year on `today`.
 */
export function verifyUnsubscribeToken(token: string, secret: string, today: IsoDate): TokenCheck {
  const parts = TOKEN.exec(token);
  if (!parts) return { valid: false, reason: 'malformed' };
  const [, payload, mac] = parts as unknown as [string, string, string];
  const given = Buffer.from(mac, 'base64url');
  const decoded = Buffer.from(payload, 'base64url');
  if (encode(given) !== mac || encode(decoded) !== payload) return { valid: false, reason: 'malformed' };
  const expected = signature(secret, payload);
  // Constant-time comparison, so response timing tells an attacker nothing about the signature.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { valid: false, reason: 'forged' };
  const claims = claimsOf(decoded.toString('utf8'));
  if (!claims) return { valid: false, reason: 'malformed' };
  if (daysBetween(claims.issuedOn, today) > UNSUBSCRIBE_TOKEN_DAYS)
    return { valid: false, reason: 'expired' };
  return { valid: true, claims };
}

function claimsOf(json: string): UnsubscribeClaims | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((p) => typeof p === 'string'))
    return null;
  const [email, customerId, locale, issuedOn] = parsed as [string, string, string, string];
  if (!isLocale(locale) || !isIsoDate(issuedOn)) return null;
  return { email, customerId, locale, issuedOn };
}
