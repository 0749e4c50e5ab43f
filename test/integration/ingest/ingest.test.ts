import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerItem, historyOf } from '../../../lambdas/adapters/dynamodb/customerItem';
import { documentClient } from '../../../local/emulators';
import { IngestHarness } from '../../helpers/ingestHarness';
import { csvLine, HEADER } from '../../helpers/snapshotFiles';

let harness: IngestHarness;
beforeAll(async () => {
  harness = await IngestHarness.start();
});
afterAll(async () => {
  await harness.close();
});

function portfolioCsv(date: string, customers: number, change: Partial<Record<string, string>> = {}): string {
  const lines = [`${HEADER},snapshot_date`];
  for (let i = 0; i < customers; i++) {
    lines.push(`${csvLine({ customer_id: `K${i}`, ...change })},${date}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('ingest handler', () => {
  it('turns an upload into customer state through a real S3 event record', async () => {
    // Prepare
    const record = await harness.upload('snapshots/2026-11-20.csv', portfolioCsv('2026-11-20', 3));

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({
      status: 'ingested',
      record: { accepted: 3, customers: 3, snapshotDate: '2026-11-20' },
    });
    const item = await harness.customer('K1');
    expect(item).toMatchObject({
      firstSeen: '2026-11-20',
      lastSnapshotDate: '2026-11-20',
      state: {
        customerId: 'K1',
        licensesPurchased: 10,
        licensesAssigned: 8,
        activeUsers: 6,
        timezone: 'Europe/Berlin',
      },
      history: '2026-11-20=2026-01-01|2027-01-01|10|8|6',
    });
    expect(await harness.portfolioDate()).toBe('2026-11-20');
    expect(await harness.report('reports/2026-11-20.csv.json')).toMatchObject({ accepted: 3, rejected: [] });
  });

  it('changes nothing when the same event is delivered twice or the same file is uploaded again', async () => {
    // Prepare
    const key = 'snapshots/twice-2026-11-21.csv';
    const record = await harness.upload(key, portfolioCsv('2026-11-21', 2, { active_users: '7' }));
    await harness.ingest(record);
    const before = await harness.customer('K0');

    // Act
    const [again] = await harness.ingest(record);
    const reuploaded = await harness.upload(key, portfolioCsv('2026-11-21', 2, { active_users: '7' }));
    const [third] = await harness.ingest(reuploaded);

    // Assess
    expect(again).toEqual({ status: 'skipped', reason: 'already-ingested' });
    expect(third).toEqual({ status: 'skipped', reason: 'already-ingested' });
    expect(await harness.customer('K0')).toEqual(before);
  });

  it('never lets an older snapshot overwrite newer state, but keeps its figures in the history', async () => {
    // Prepare
    await harness.ingest(
      await harness.upload('snapshots/2026-12-10.csv', portfolioCsv('2026-12-10', 1, { active_users: '9' })),
    );

    // Act
    await harness.ingest(
      await harness.upload('snapshots/2026-12-01.csv', portfolioCsv('2026-12-01', 1, { active_users: '2' })),
    );

    // Assess
    const item = await harness.customer('K0');
    expect(item).toMatchObject({ lastSnapshotDate: '2026-12-10', state: { activeUsers: 9 } });
    expect(historyOf(item as unknown as CustomerItem)).toContainEqual(
      expect.objectContaining({ snapshotDate: '2026-12-01', termStart: '2026-01-01', activeUsers: 2 }),
    );
    expect(await harness.portfolioDate()).toBe('2026-12-10');
  });

  it('keeps the newer state and both nights when two files are ingested at the same moment', async () => {
    // Prepare: two nights of the same customers, their events delivered together
    const newer = await harness.upload(
      'snapshots/2027-01-11.csv',
      portfolioCsv('2027-01-11', 120, { active_users: '7' }),
    );
    const older = await harness.upload(
      'snapshots/2027-01-10.csv',
      portfolioCsv('2027-01-10', 120, { active_users: '3' }),
    );

    // Act: two Lambda invocations at once
    const outcomes = await Promise.all([harness.ingest(newer), harness.ingest(older)]);

    // Assess
    expect(outcomes.flat().map((o) => o.status)).toEqual(['ingested', 'ingested']);
    for (const id of ['K0', 'K119']) {
      const item = await harness.customer(id);
      expect(item).toMatchObject({ lastSnapshotDate: '2027-01-11', state: { activeUsers: 7 } });
      expect(historyOf(item as unknown as CustomerItem)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ snapshotDate: '2027-01-10', termEnd: '2027-01-01', activeUsers: 3 }),
          expect.objectContaining({ snapshotDate: '2027-01-11', termEnd: '2027-01-01', activeUsers: 7 }),
        ]),
      );
    }
  });

  it('ingests 997 of 1,000 rows and reports the 3 bad lines', async () => {
    // Prepare
    const lines = [HEADER];
    for (let i = 0; i < 1000; i++) {
      const bad =
        i === 10
          ? { licenses_purchased: '-4' }
          : i === 500
            ? { admin_email: 'nobody' }
            : i === 998
              ? { term_end: '2025-01-01' }
              : {};
      lines.push(csvLine({ customer_id: `M${i}`, ...bad }));
    }
    const record = await harness.upload('snapshots/mixed-2026-11-22.csv', lines.join('\n'));

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({
      status: 'ingested',
      record: { accepted: 997, rejectedCount: 3, customers: 997 },
    });
    const report = await harness.report('reports/mixed-2026-11-22.csv.json');
    expect((report.rejected as { line: number; column: string }[]).map((r) => [r.line, r.column])).toEqual([
      [12, 'licenses_purchased'],
      [502, 'admin_email'],
      [1000, 'term_end'],
    ]);
    expect(await harness.rawRowCount('2026-11-22')).toBe(997);
    expect(await harness.customer('M11')).toBeDefined();
    expect(await harness.customer('M10')).toBeUndefined();
  });

  it('rejects an unusable file whole, changes no state and says why in the report', async () => {
    // Prepare
    const record = await harness.upload('snapshots/broken-2026-11-23.json', '[{"customer_id": "Z1"');

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toMatchObject({ status: 'rejected' });
    expect(await harness.report('reports/broken-2026-11-23.json.json')).toMatchObject({
      rows: 0,
      error: expect.stringMatching(/missing required column|not closed/),
    });
    expect(await harness.customer('Z1')).toBeUndefined();
  });

  it('decodes keys with spaces and unicode', async () => {
    // Prepare
    const key = 'snapshots/Export Müller & Söhne 2026-11-24.csv';
    const record = await harness.upload(key, portfolioCsv('2026-11-24', 1, { customer_id: 'Ü1' }));

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(record.s3.object.key).not.toBe(key);
    expect(outcome).toMatchObject({ status: 'ingested', record: { key, accepted: 1 } });
    expect(await harness.report('reports/Export Müller & Söhne 2026-11-24.csv.json')).toMatchObject({
      accepted: 1,
    });
  });

  it('ignores objects outside the snapshot prefix, such as its own reports', async () => {
    // Prepare
    const record = await harness.upload('reports/2026-11-20.csv.json', '{}');

    // Act
    const [outcome] = await harness.ingest(record);

    // Assess
    expect(outcome).toEqual({ status: 'skipped', reason: 'not-a-snapshot' });
  });

  it('lands every row when DynamoDB hands back unprocessed items', async () => {
    // Prepare: a client that returns half of every other batch unprocessed (throttling is the SDK's to retry:
    // see the fault suite, which throttles on the wire)
    let batches = 0;
    const flaky = documentClient(harness.dynamo.client) as DynamoDBDocumentClient;
    const realSend = flaky.send.bind(flaky) as (command: unknown) => Promise<unknown>;
    (flaky as { send: unknown }).send = async (command: unknown) => {
      if (command instanceof BatchWriteCommand) {
        batches++;
        const [table, requests] = Object.entries(command.input.RequestItems!)[0]!;
        if (batches % 2 === 0 && requests.length > 1) {
          const half = Math.ceil(requests.length / 2);
          await realSend(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, half) } }));
          return { UnprocessedItems: { [table]: requests.slice(half) } };
        }
      }
      return realSend(command);
    };
    const lines = [HEADER];
    for (let i = 0; i < 3000; i++) lines.push(csvLine({ customer_id: `T${i % 40}`, product: `P${i}` }));
    const record = await harness.upload('snapshots/flaky-2026-11-25.csv', lines.join('\n'));

    // Act
    const [outcome] = await harness.ingest(record, flaky);

    // Assess
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 3000, customers: 40 } });
    expect(batches).toBeGreaterThan(1);
    expect(await harness.rawRowCount('2026-11-25')).toBe(3000);
    expect(await harness.customer('T7')).toMatchObject({ state: { licensesPurchased: 750 } });
  });
});
