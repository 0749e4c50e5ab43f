import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IsoDate } from '../dates';
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

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signUnsubscribeToken(claims: UnsubscribeClaims, secret: string): string {
  const payload = encode(JSON.stringify([claims.email, claims.customerId, claims.locale, claims.issuedOn]));
  return `${payload}.${encode(signature(secret, payload))}`;
}

/** The claims of a genuine token, or null for anything tampered with, truncated or malformed. */
export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeClaims | null {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return null;
  const expected = signature(secret, payload);
  const given = Buffer.from(mac, 'base64url');
  // Constant-time comparison, so response timing tells an attacker nothing about the signature.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((p) => typeof p === 'string'))
      return null;
    const [email, customerId, locale, issuedOn] = parsed as string[];
    if (!isLocale(locale!)) return null;
    return { email: email!, customerId: customerId!, locale: locale!, issuedOn: issuedOn! };
  } catch {
    return null;
  }
}
