import { describe, expect, it } from 'vitest';
import { joinContact } from '../../../lambdas/domain/contacts/contactRow';
import { readContacts } from '../../../lambdas/domain/contacts/readContacts';
import { SnapshotFileError } from '../../../lambdas/domain/snapshot/errors';

async function* bytes(text: string) {
  yield Buffer.from(text);
}

describe('readContacts', () => {
  it('reads a semicolon CSV with a BOM, vendor-spelled headers and a quoted newline, by physical line', async () => {
    // Prepare
    const file =
      '\uFEFFCustomer ID;Customer-Name;Admin Email;admin_name;OWNER_EMAIL;locale;timezone\r\n' +
      'C1;"Acme\r\nGmbH";it@acme.example;Ana;rep@reseller.example;de;Europe/Berlin\r\n' +
      'C2;Beta;;;rep@reseller.example;;\r\n' +
      'C3;Gamma;not-an-address;;;;\r\n';

    // Act
    const read = await readContacts(bytes(file), 'contacts.csv');

    // Assess
    expect(read.rows).toBe(3);
    expect(read.contacts.get('C1')).toEqual({
      line: 2,
      contact: {
        customerId: 'C1',
        customerName: 'Acme\r\nGmbH',
        adminEmail: 'it@acme.example',
        adminName: 'Ana',
        ownerEmail: 'rep@reseller.example',
        locale: 'de',
        timezone: 'Europe/Berlin',
      },
    });
    expect(read.contacts.get('C2')?.contact).toEqual({
      customerId: 'C2',
      customerName: 'Beta',
      ownerEmail: 'rep@reseller.example',
    });
    expect(read.rejected).toEqual([
      { line: 5, column: 'admin_email', reason: 'not a valid email address "not-an-address"' },
    ]);
  });

  it('reads JSON arrays and NDJSON, and rejects both rows of a customer listed twice with different contacts', async () => {
    // Prepare
    const json = JSON.stringify([
      { customer_id: 'C1', admin_email: 'a@x.example' },
      { customer_id: 'C2', admin_email: 'b@x.example' },
      { customer_id: 'C1', admin_email: 'other@x.example' },
      { customer_id: 'C2', admin_email: 'b@x.example' },
    ]);
    const ndjson = '{"customer_id":"C1","locale":"fr"}\n\n{"customer_id":"C2","locale":"xx"}\n';

    // Act
    const fromJson = await readContacts(bytes(json), 'contacts.json');
    const fromNdjson = await readContacts(bytes(ndjson), 'contacts.ndjson');

    // Assess
    expect([...fromJson.contacts.keys()]).toEqual(['C2']);
    expect(fromJson.duplicates).toBe(1);
    expect(fromJson.rejected.map((r) => r.line)).toEqual([1, 3]);
    expect(fromJson.rejected[0]!.reason).toContain('listed more than once with different contacts');
    expect(fromNdjson.contacts.get('C1')?.contact.locale).toBe('fr');
    expect(fromNdjson.rejected).toEqual([
      { line: 3, column: 'locale', reason: 'unsupported locale "xx" (use en, es, fr or de)' },
    ]);
  });

  it('refuses a file without a customer_id column, naming the columns it reads', async () => {
    // Act
    const reading = readContacts(bytes('name,email\nAcme,a@x.example\n'), 'contacts.csv');

    // Assess
    await expect(reading).rejects.toThrow(SnapshotFileError);
    await expect(readContacts(bytes('name,email\n'), 'c.csv')).rejects.toThrow(/no customer_id column/);
  });
});

describe('joinContact', () => {
  it("keeps a row's own contact columns, fills the rest from the directory and the owner from the default", () => {
    // Prepare
    const row = { customerId: 'C1', adminEmail: 'own@acme.example', locale: undefined };
    const directory = {
      customerId: 'C1',
      adminEmail: 'dir@acme.example',
      adminName: 'Ana',
      locale: 'de' as const,
    };

    // Act
    const joined = joinContact(row, directory, 'desk@reseller.example');
    const nobody: { customerId: string; adminEmail?: string } = { customerId: 'C2' };
    const alone = joinContact(nobody, undefined);

    // Assess
    expect(joined).toEqual({
      customerId: 'C1',
      adminEmail: 'own@acme.example',
      adminName: 'Ana',
      locale: 'de',
      ownerEmail: 'desk@reseller.example',
    });
    expect(alone).toEqual({ customerId: 'C2' });
  });
});
