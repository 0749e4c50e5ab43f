import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../lambdas/adapters/dynamodb/tableDesign';
import { LINES_PER_CUSTOMER } from '../../../lambdas/domain/snapshot/limits';
import { IngestHarness } from '../../helpers/ingestHarness';
import { csvLine, HEADER } from '../../helpers/snapshotFiles';

// Files a careless or hostile uploader might send: each ends ingested, with every customer that can be stored
// written and the rest named in the report.

let harness: IngestHarness;
beforeAll(async () => {
  harness = await IngestHarness.start();
});
afterAll(async () => {
  await harness.close();
});

async function fileItem(fileId: string): Promise<Record<string, unknown>> {
  const result = await harness.documents.send(
    new GetCommand({ TableName: harness.dynamo.tables.Activity!, Key: keys.ingestFile(fileId) }),
  );
  return result.Item!;
}

describe('hostile snapshot files', () => {
  it('rejects a customer with thousands of lines by itself and writes the customer beside it', async () => {
    // Prepare: 4,000 lines of one customer (one row per user, say), then a small customer
    const lines = [HEADER];
    for (let i = 0; i < 4000; i++) lines.push(csvLine({ customer_id: 'HUGE', product: `Seat ${i}` }));
    lines.push(csvLine({ customer_id: 'SMALL' }));
    const record = await harness.upload('snapshots/2026-10-01.csv', lines.join('\n'));

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({
      status: 'ingested',
      record: { rows: 4001, accepted: 1, rejectedCount: 4000, customers: 1 },
    });
    expect(await harness.customer('HUGE')).toBeUndefined();
    expect(await harness.customer('SMALL')).toMatchObject({ state: { licensesPurchased: 10 } });
    expect((await harness.report('reports/2026-10-01.csv.json')).rejected).toEqual([
      {
        line: 2,
        column: 'customer_id',
        reason: `customer_id "HUGE" has 4000 lines, more than the ${LINES_PER_CUSTOMER} one customer may have: none of its lines were ingested`,
      },
    ]);
  });

  it('ends a file whose rejected row quotes a 450 KB value, with a small record and a short reason', async () => {
    // Prepare
    const huge = 'x'.repeat(450_000);
    const body = [
      HEADER,
      csvLine({ customer_id: 'Q1', licenses_assigned: huge }),
      csvLine({ customer_id: 'Q2', customer_name: huge }),
      csvLine({ customer_id: 'Q3' }),
    ].join('\n');
    const record = await harness.upload('snapshots/2026-10-02.csv', body);

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 1, rejectedCount: 2 } });
    if (outcome!.status !== 'ingested') throw new Error('not ingested');
    const item = await fileItem(outcome!.record.fileId);
    expect(item.status).toBe('ingested');
    expect(JSON.stringify(item).length).toBeLessThan(2_000);
    const report = await harness.report('reports/2026-10-02.csv.json');
    expect(report.rejected).toEqual([
      {
        line: 2,
        column: 'licenses_assigned',
        reason: `expected a whole number of seats, 0 or more, got "${'x'.repeat(40)}…"`,
      },
      {
        line: 3,
        column: 'customer_name',
        reason: `longer than the 256 characters allowed ("${'x'.repeat(40)}…")`,
      },
    ]);
    expect(await harness.customer('Q3')).toBeDefined();
  });

  it('keeps seat counts above the seats paid for and points them out in the report', async () => {
    // Prepare
    const body = [
      HEADER,
      csvLine({ customer_id: 'OVER', licenses_purchased: '10', licenses_assigned: '5', active_users: '40' }),
      csvLine({ customer_id: 'FINE' }),
    ].join('\n');
    const record = await harness.upload('snapshots/2026-10-04.csv', body);

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({
      status: 'ingested',
      record: { accepted: 2, rejectedCount: 0, warnings: 1 },
    });
    expect(await harness.customer('OVER')).toMatchObject({
      state: { licensesPurchased: 10, licensesAssigned: 5, activeUsers: 40 },
    });
    expect((await harness.report('reports/2026-10-04.csv.json')).warnings).toEqual([
      {
        line: 2,
        column: 'active_users',
        reason:
          'active_users (40) is above licenses_purchased (10): kept as exported; emails never say more than all licences are in use',
      },
    ]);
  });

  it('lists the first 1,000 warnings in the report and counts them all', async () => {
    // Prepare: 1,200 lines with more users than seats
    const lines = [HEADER];
    for (let i = 0; i < 1200; i++)
      lines.push(csvLine({ customer_id: `MANY${i % 100}`, product: `P${i}`, active_users: '11' }));
    const record = await harness.upload('snapshots/2026-10-05.csv', lines.join('\n'));

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 1200, warnings: 1200 } });
    const report = await harness.report('reports/2026-10-05.csv.json');
    expect(report.warningCount).toBe(1200);
    expect(report.warnings).toHaveLength(1000);
  });

  it("takes a customer's contacts from its current term's lines and warns of a second admin", async () => {
    // Prepare: the first line is on a term that ended; the current term names another admin and owner
    const body = [
      `${HEADER},locale`,
      `${csvLine({ customer_id: 'TERMS', product: 'Old', admin_email: 'old.admin@terms.example', owner_email: 'old.owner@reseller.example', term_start: '2025-01-01', term_end: '2026-01-01' })},de`,
      `${csvLine({ customer_id: 'TERMS', product: 'New', admin_email: 'New.Admin@terms.example', owner_email: 'new.owner@reseller.example', term_start: '2026-01-01', term_end: '2027-01-01' })},fr`,
      `${csvLine({ customer_id: 'TERMS', product: 'Extra', admin_email: 'new.admin@terms.example ', term_start: '2026-01-01', term_end: '2027-01-01' })},fr`,
    ].join('\n');
    const record = await harness.upload('snapshots/2026-10-03.csv', body);

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 3, warnings: 1 } });
    expect(await harness.customer('TERMS')).toMatchObject({
      state: {
        adminEmail: 'New.Admin@terms.example',
        ownerEmail: 'new.owner@reseller.example',
        locale: 'fr',
        termEnd: '2027-01-01',
      },
    });
    expect((await harness.report('reports/2026-10-03.csv.json')).warnings).toEqual([
      {
        line: 3,
        column: 'admin_email',
        reason:
          'customer_id "TERMS" names another admin (New.Admin@terms.example) than its line 2 (old.admin@terms.example): emails go to the admin of the current term\'s first line',
      },
    ]);
  });
});
