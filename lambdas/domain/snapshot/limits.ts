// How large one value, and one customer, of a snapshot may be. The limits sit far above anything a reseller's
// export holds, and keep every stored item far below DynamoDB's 400 KB item limit, so no file can make ingestion
// fail over and over. `clm validate` and ingestion check the same limits (the row schema uses them).

/** Characters a text column may hold. */
export const FIELD_LIMITS = {
  /** Vendor customer ids are short: a tenant GUID is 36 characters, an Adobe or Dassault id fewer. */
  customerId: 128,
  /** Registered company names run to about 150 characters at the longest. */
  customerName: 256,
  adminName: 256,
  /** An email address is at most 254 characters (RFC 5321's path limit less its brackets). */
  adminEmail: 254,
  ownerEmail: 254,
  /** SKU codes and product names such as "Microsoft 365 E5 (no Teams) – annual commitment, paid monthly". */
  product: 200,
} as const;

/**
 * Lines (products) one customer may have in one file. Each line is stored on the customer's item, as a map of
 * six attributes: about 105 bytes of names, numbers and dates plus the product's text, so about 150 bytes for a
 * typical line and at most about 0.7 KB (200 characters of 3-byte UTF-8). 250 lines make a customer item of about
 * 40 KB, and at most about 180 KB, with contacts and 40 days of history adding about 3 KB: far below 400 KB.
 * The largest real customers have a few dozen lines; thousands mean a broken export (one row per user).
 */
export const LINES_PER_CUSTOMER = 250;

/** Seats on one line: far above any real subscription, and within what the compact line store holds. */
export const SEATS_PER_LINE = 10_000_000;

/** Characters of a value quoted in a rejection reason: enough to find it, never the whole of a huge value. */
export const QUOTED_CHARS = 40;

/** A value as a rejection reason quotes it: in double quotes, cut to QUOTED_CHARS with an ellipsis. */
export function quoted(value: unknown): string {
  const text = String(value);
  if (text.length <= QUOTED_CHARS) return `"${text}"`;
  // Never cut between the two halves of a character outside the basic plane.
  const end = /[\uD800-\uDBFF]/.test(text[QUOTED_CHARS - 1]!) ? QUOTED_CHARS - 1 : QUOTED_CHARS;
  return `"${text.slice(0, end)}…"`;
}

/** The reason for a value over its limit, quoting its start. */
export function tooLong(limit: number): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => `longer than the ${limit} characters allowed (${quoted(issue.input)})` };
}
