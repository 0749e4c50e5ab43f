import { daysBetween, type IsoDate, isIsoDate } from '../dates';
import { isLocale, type Locale } from '../locales';
import { signParts, verifyParts } from './signedToken';

// An unsubscribe link carries who it is for, signed with HMAC-SHA256 so nobody can unsubscribe someone else by
// editing the link. The payload is small and readable on purpose: it holds nothing the recipient does not know.

export interface UnsubscribeClaims {
  email: string;
  customerId: string;
  locale: Locale;
  issuedOn: IsoDate;
}

/** A link stops working a year after the email that carried it: an old forwarded email unsubscribes nobody. */
export const UNSUBSCRIBE_TOKEN_DAYS = 365;

export type TokenCheck =
  | { valid: true; claims: UnsubscribeClaims }
  | { valid: false; reason: 'malformed' | 'forged' | 'expired' };

export function signUnsubscribeToken(claims: UnsubscribeClaims, secret: string): string {
  return signParts([claims.email, claims.customerId, claims.locale, claims.issuedOn], secret);
}

/**
 * The claims of a genuine, current token. Anything else is refused with its reason: a token in another form than
 * the one we issue (see verifyParts), a wrong MAC, or a token older than a year on `today`.
 */
export function verifyUnsubscribeToken(token: string, secret: string, today: IsoDate): TokenCheck {
  const check = verifyParts(token, secret, 4);
  if (!check.valid) return check;
  const [email, customerId, locale, issuedOn] = check.parts as [string, string, string, string];
  if (!isLocale(locale) || !isIsoDate(issuedOn)) return { valid: false, reason: 'malformed' };
  if (daysBetween(issuedOn, today) > UNSUBSCRIBE_TOKEN_DAYS) return { valid: false, reason: 'expired' };
  return { valid: true, claims: { email, customerId, locale, issuedOn } };
}
