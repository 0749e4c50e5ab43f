/**
 * An email address in the one form it is compared, suppressed, booked and deduplicated in: trimmed and
 * lower-cased. Exports spell one admin as "Lena@X.example" in one row and "lena@x.example " in the next; both
 * are one person. Emails and digests still show the address as the export wrote it.
 */
export function normalizeAddress(email: string): string {
  return email.trim().toLowerCase();
}
