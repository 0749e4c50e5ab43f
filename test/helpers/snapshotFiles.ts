import type { ReadEvent, ReadOptions, ReadSummary } from '../../lambdas/domain/snapshot/reader';
import { readSnapshot } from '../../lambdas/domain/snapshot/reader';

export const HEADER =
  'customer_id,customer_name,admin_email,owner_email,product,licenses_purchased,licenses_assigned,active_users,term_start,term_end';

/** A valid CSV line for the canonical header, with fields overridable by position-free names. */
export function csvLine(overrides: Partial<Record<string, string>> = {}): string {
  const row: Record<string, string> = {
    customer_id: 'C1',
    customer_name: 'Atlas Media',
    admin_email: 'ava.carter@atlas.example',
    owner_email: 'dana.owner@reseller.example',
    product: 'Acrobat Pro',
    licenses_purchased: '10',
    licenses_assigned: '8',
    active_users: '6',
    term_start: '2026-01-01',
    term_end: '2027-01-01',
    ...overrides,
  };
  return HEADER.split(',')
    .map((column) => row[column] ?? '')
    .join(',');
}

/** Feeds a text in small chunks, as a network stream would, so chunk borders fall mid-record. */
export async function* chunked(text: string, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function readAll(
  text: string,
  options: Partial<ReadOptions> = {},
): Promise<{ events: ReadEvent[]; summary: ReadSummary }> {
  const reader = readSnapshot(chunked(text), { fileName: '2026-11-20.csv', ...options });
  const events: ReadEvent[] = [];
  for (;;) {
    const next = await reader.next();
    if (next.done) return { events, summary: next.value };
    events.push(...next.value);
  }
}
