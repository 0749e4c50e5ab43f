import { type ReadOptions, readSnapshot } from '../snapshot/reader';
import { type ContactRow, contactGapsOf, joinContact, type RowContact } from './contactRow';

/** A customer of a licence file that the join leaves without an admin, an owner, or both. */
export interface CustomerWithoutContact {
  customerId: string;
  /** The line of the customer's first row in the licence file. */
  line: number;
  missing: ('admin_email' | 'owner_email')[];
}

/**
 * Joins a licence file's customers with the contacts directory as ingestion does (the rows' own contact columns
 * win) and names those still lacking an admin or an owner, in file order. Unlike ingestion it cannot know
 * `defaultOwnerEmail`, so a customer without an owner is named too.
 */
export async function customersWithoutContact(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
  directory: ReadonlyMap<string, ContactRow>,
): Promise<CustomerWithoutContact[]> {
  const customers = new Map<string, { line: number; own: RowContact }>();
  const reader = readSnapshot(input, options);
  for (;;) {
    const next = await reader.next();
    if (next.done) break;
    for (const event of next.value) {
      if (event.type !== 'row') continue;
      const { row } = event;
      const customer = customers.get(row.customerId);
      if (!customer) customers.set(row.customerId, { line: event.line, own: ownContact(row) });
      else {
        customer.own.adminEmail ??= row.adminEmail;
        customer.own.ownerEmail ??= row.ownerEmail;
      }
    }
  }
  const without: CustomerWithoutContact[] = [];
  for (const [customerId, { line, own }] of customers) {
    const missing = contactGapsOf(joinContact(own, directory.get(customerId)));
    if (missing.length > 0) without.push({ customerId, line, missing });
  }
  return without;
}

function ownContact(row: RowContact): RowContact {
  const own: RowContact = {};
  if (row.adminEmail !== undefined) own.adminEmail = row.adminEmail;
  if (row.ownerEmail !== undefined) own.ownerEmail = row.ownerEmail;
  return own;
}
