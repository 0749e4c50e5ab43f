import { createHash } from 'node:crypto';
import { normalizeAddress } from '../domain/address';

/**
 * An email address as logs may show it: the domain and a short hash of the whole address, so two log lines
 * about one admin can be matched without the address being readable.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = at >= 0 ? email.slice(at + 1) : '';
  const digest = createHash('sha256').update(normalizeAddress(email)).digest('hex').slice(0, 10);
  return `${digest}@${domain}`;
}
