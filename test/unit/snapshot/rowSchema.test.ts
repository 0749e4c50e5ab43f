import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passesRowSchema, SnapshotRow } from '../../../lambdas/domain/snapshot/snapshotRow';

/** Mostly a good value, now and then a bad one of a kind the schema refuses: rows near its edges. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad as fc.Arbitrary<T>, weight: 1 });
const text = (max: number) =>
  mostly(
    fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .&-]{0,10}[A-Za-z0-9]$/),
      fc.constant('x'.repeat(max)),
    ),
    fc.constantFrom('', ' padded ', 'x'.repeat(max + 1), 'tab\t'),
  );
const email = mostly(
  fc.constantFrom('anna.schmidt@acme.example', "o'brien+licences@example.co.uk", 'x@y.de'),
  fc.constantFrom('not an email', 'a@b', `${'a'.repeat(250)}@example.com`, ' anna@acme.example'),
);
const count = mostly(fc.nat(), fc.constantFrom(-1, 1.5, 2 ** 60, Number.NaN, '3'));
const date = mostly(
  fc.constantFrom('2025-06-01', '2026-06-01', '2026-02-28', '2024-02-29', '2027-01-15'),
  fc.constantFrom('2026-02-29', '2026-13-01', '01/06/2026'),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const candidate = fc.record(
  {
    customerId: text(128),
    customerName: text(256),
    adminEmail: optional(email),
    adminName: optional(text(256)),
    ownerEmail: optional(email),
    product: text(200),
    licensesPurchased: count,
    licensesAssigned: count,
    activeUsers: fc.option(count, { nil: null }),
    termStart: date,
    termEnd: fc.option(date, { nil: null }),
    subscriptionId: optional(text(64)),
    autoRenew: optional(mostly(fc.boolean(), fc.constant('yes'))),
    productName: optional(text(64)),
    locale: optional(mostly(fc.constantFrom('en', 'de', 'fr', 'es'), fc.constantFrom('it', 'EN'))),
    timezone: optional(
      mostly(fc.constantFrom('Europe/Berlin', 'Asia/Tokyo', 'UTC'), fc.constant('Mars/Olympus')),
    ),
    snapshotDate: optional(date),
  },
  {
    requiredKeys: [
      'customerId',
      'customerName',
      'product',
      'licensesPurchased',
      'licensesAssigned',
      'activeUsers',
      'termStart',
      'termEnd',
    ],
  },
);

describe('the reader’s quick row check', () => {
  it('passes only rows the row schema accepts, and the schema returns them unchanged', () => {
    fc.assert(
      fc.property(candidate, (row) => {
        const parsed = SnapshotRow.safeParse(row);
        if (passesRowSchema({ ...row })) {
          expect(parsed.success).toBe(true);
          expect(parsed.data).toEqual(row);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('passes a well-formed row, so the reader does not pay for the schema on every line', () => {
    // Prepare
    const row = {
      customerId: 'C-0001',
      customerName: 'Acme GmbH',
      adminEmail: 'anna.schmidt@acme.example',
      product: 'Adobe Creative Cloud',
      licensesPurchased: 25,
      licensesAssigned: 20,
      activeUsers: null,
      termStart: '2025-06-01',
      termEnd: '2026-06-01',
      locale: 'de',
      timezone: 'Europe/Berlin',
    };

    // Act / Assess
    expect(passesRowSchema(row)).toBe(true);
    expect(passesRowSchema({ ...row, termEnd: '2025-06-01' })).toBe(false);
    expect(passesRowSchema({ ...row, adminEmail: 'anna' })).toBe(false);
    expect(passesRowSchema({ ...row, customerName: ' Acme GmbH' })).toBe(false);
  });
});
