import { LINES_PER_CUSTOMER, quoted } from './limits';
import { type ReadOptions, type ReadSummary, readSnapshot } from './reader';

// The one limit a single row cannot show: lines per customer. Ingestion and `clm validate` reject a customer over
// it the same way, as one rejection at the customer's first line.

export function tooManyLines(customerId: string, lines: number): string {
  return `customer_id ${quoted(customerId)} has ${lines} lines, more than the ${LINES_PER_CUSTOMER} one customer may have: none of its lines were ingested`;
}

/** What `clm validate` reports: the reader's summary, with every customer over the line limit rejected. */
export async function validateSnapshotFile(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
): Promise<ReadSummary> {
  const customers = new Map<string, { line: number; lines: number }>();
  const reader = readSnapshot(input, options);
  for (;;) {
    const next = await reader.next();
    if (next.done) return withLineLimit(next.value, customers);
    for (const event of next.value) {
      if (event.type === 'row') {
        const customer = customers.get(event.row.customerId);
        if (customer) customer.lines++;
        else customers.set(event.row.customerId, { line: event.line, lines: 1 });
      } else {
        // A conflicting duplicate takes back a line handed out earlier; so does a subscription's later row.
        const taken = event.type === 'withdrawn' ? event : event.revokes;
        const customer = taken && customers.get(taken.customerId);
        if (customer) customer.lines--;
      }
    }
  }
}

function withLineLimit(summary: ReadSummary, customers: Map<string, { line: number; lines: number }>) {
  let accepted = summary.accepted;
  const rejected = [...summary.rejected];
  for (const [customerId, { line, lines }] of customers) {
    if (lines <= LINES_PER_CUSTOMER) continue;
    accepted -= lines;
    rejected.push({ line, column: 'customer_id', reason: tooManyLines(customerId, lines) });
  }
  return { ...summary, accepted, rejected: rejected.sort((a, b) => a.line - b.line) };
}
