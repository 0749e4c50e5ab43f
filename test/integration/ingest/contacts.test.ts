import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestHarness } from '../../helpers/ingestHarness';

let harness: IngestHarness;
beforeAll(async () => {
  harness = await IngestHarness.start();
});
afterAll(async () => {
  await harness.close();
});

/** A licence export as most vendors write it: no admin, owner, locale or time zone. */
function licences(date: string, ids: string[], extra: Record<string, string> = {}): string {
  const header = `customer_id,customer_name,product,licenses_purchased,licenses_assigned,active_users,term_start,term_end${Object.keys(
    extra,
  )
    .map((c) => `,${c}`)
    .join('')}`;
  const rows = ids.map(
    (id) =>
      `${id},Customer ${id},Photoshop,10,4,2,2026-01-01,2027-01-01${Object.values(extra)
        .map((v) => `,${v}`)
        .join('')}`,
  );
  return `${header}\n${rows.join('\n')}\n`.replace(/snapshot-date/g, date);
}

const DIRECTORY = [
  'customer_id,customer_name,admin_email,admin_name,owner_email,locale,timezone',
  'A1,Alpha,it@alpha.example,Ana Alpha,rep@reseller.example,de,Europe/Berlin',
  'B2,Beta,,,rep@reseller.example,fr,Europe/Paris',
  'C3,Gamma,it@gamma.example,,,,',
  'D4,Delta,bad-address,,,,',
].join('\n');

describe('contacts directory through the ingest handler', () => {
  it('stores a contacts upload, reports its bad rows, and joins it with the next snapshot by customer id', async () => {
    // Prepare
    const contacts = await harness.upload('contacts/directory.csv', `${DIRECTORY}\n`);

    // Act
    const [none] = await harness.ingest(contacts);
    await harness.ingest(contacts); // S3 delivers the same event twice
    const snapshot = await harness.upload(
      'snapshots/2026-11-20.csv',
      licences('2026-11-20', ['A1', 'B2', 'C3', 'E5']),
    );
    const [outcome] = await harness.ingest(snapshot);

    // Assess: the contacts upload is no snapshot; its report is under reports/contacts/
    expect(none).toBeUndefined();
    expect(await harness.report('reports/contacts/directory.csv.json')).toMatchObject({
      file: 'contacts/directory.csv',
      status: 'current',
      rows: 4,
      accepted: 3,
      rejected: [{ line: 5, column: 'admin_email', reason: 'not a valid email address "bad-address"' }],
    });
    // C3 has no owner anywhere and E5 is in no directory: each is rejected by itself, the others are ingested.
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 2, customers: 2 } });
    const report = await harness.report('reports/2026-11-20.csv.json');
    expect(report.rejected).toEqual([
      expect.objectContaining({
        line: 4,
        column: 'customer_id',
        reason: expect.stringContaining('"C3" has no account owner'),
      }),
      expect.objectContaining({
        line: 5,
        column: 'customer_id',
        reason: expect.stringContaining('"E5" has no account owner'),
      }),
    ]);
    expect((await harness.customer('A1'))?.state).toMatchObject({
      customerName: 'Customer A1',
      adminEmail: 'it@alpha.example',
      adminName: 'Ana Alpha',
      ownerEmail: 'rep@reseller.example',
      locale: 'de',
      timezone: 'Europe/Berlin',
    });
    // Nobody names B2's admin: it is stored without one (no customer email; its owner is asked for one).
    expect((await harness.customer('B2'))?.state).toMatchObject({
      adminEmail: '',
      adminAddress: 'no-admin#B2',
      ownerEmail: 'rep@reseller.example',
      locale: 'fr',
    });
    expect(await harness.customer('C3')).toBeUndefined();
  });

  it("keeps a snapshot row's own contact columns and gives customers nobody owns the defaultOwnerEmail", async () => {
    // Prepare
    const snapshot = await harness.upload(
      'snapshots/2026-11-21.csv',
      licences('2026-11-21', ['A1', 'C3', 'E5'], { admin_email: 'own@row.example', locale: 'es' }),
    );

    // Act
    const [outcome] = await harness.ingest(snapshot, undefined, {
      defaultOwnerEmail: 'desk@reseller.example',
    });

    // Assess
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 3, customers: 3 } });
    expect((await harness.customer('A1'))?.state).toMatchObject({
      adminEmail: 'own@row.example',
      adminName: 'Ana Alpha',
      ownerEmail: 'rep@reseller.example',
      locale: 'es',
      timezone: 'Europe/Berlin',
    });
    expect((await harness.customer('C3'))?.state).toMatchObject({
      adminEmail: 'own@row.example',
      ownerEmail: 'desk@reseller.example',
    });
    expect((await harness.customer('E5'))?.state).toMatchObject({ ownerEmail: 'desk@reseller.example' });
  });

  it('lets the latest upload win whole, also when an older upload is delivered after it', async () => {
    // Prepare: two uploads a second apart (S3 times uploads to the second)
    const older = await harness.upload('contacts/older.csv', `${DIRECTORY}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const newer = await harness.upload(
      'contacts/newer.csv',
      'customer_id,admin_email,owner_email\nB2,new@beta.example,other@reseller.example\n',
    );

    // Act: the newer upload's event arrives first
    await harness.ingest(newer);
    await harness.ingest(older);
    const snapshot = await harness.upload('snapshots/2026-11-22.csv', licences('2026-11-22', ['A1', 'B2']));
    const [outcome] = await harness.ingest(snapshot);

    // Assess: only the newer directory counts, whole: A1 is in it no more, so nobody owns it now
    expect(await harness.report('reports/contacts/older.csv.json')).toMatchObject({ status: 'superseded' });
    expect(outcome).toMatchObject({ status: 'ingested', record: { customers: 1 } });
    expect((await harness.customer('B2'))?.state).toMatchObject({
      adminEmail: 'new@beta.example',
      ownerEmail: 'other@reseller.example',
      locale: 'en',
    });
    const stored = await harness.documents.send(
      new ScanCommand({
        TableName: harness.dynamo.tables.Portfolio!,
        FilterExpression: 'entity IN (:contact, :directory)',
        ExpressionAttributeValues: { ':contact': 'contact', ':directory': 'contacts-directory' },
      }),
    );
    expect(stored.Items?.map((item) => item.contact?.customerId ?? item.key).sort()).toEqual([
      'B2',
      'contacts/newer.csv',
    ]);
  });
});
