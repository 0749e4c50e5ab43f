import type { S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoContactsDirectory } from '../../lambdas/adapters/dynamodb/dynamoContactsDirectory';
import { DynamoIngestStore } from '../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { keys } from '../../lambdas/adapters/dynamodb/tableDesign';
import { S3SnapshotBucket } from '../../lambdas/adapters/s3/s3SnapshotBucket';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import type { IngestStore } from '../../lambdas/ports/ingestStore';
import { IngestHarness } from '../helpers/ingestHarness';
import { csvLine, HEADER } from '../helpers/snapshotFiles';
import { dynamoThrottling, faultyDynamo, faultyS3, itemTooLarge, s3SlowDown } from './helpers/wire';

// Faults on the ingest path, through the ingest handler on dynalite and s3rver: whatever fails, every customer
// that can be stored is stored exactly once, and the file ends ingested or rejected.

let harness: IngestHarness;
beforeAll(async () => {
  harness = await IngestHarness.start();
});
afterAll(async () => {
  await harness.close();
});

interface Wiring {
  documents?: DynamoDBDocumentClient;
  s3?: S3Client;
  /** Wraps each file's store, to make it fail at a chosen point. */
  store?: (store: DynamoIngestStore) => IngestStore;
  now?: () => Date;
  claimTimeoutSeconds?: number;
}

function handler(wiring: Wiring = {}) {
  return createIngestHandler({
    bucket: new S3SnapshotBucket(wiring.s3 ?? harness.s3.client),
    directory: new DynamoContactsDirectory(
      wiring.documents ?? harness.documents,
      harness.dynamo.tables.Portfolio!,
    ),
    store: () => {
      const store = new DynamoIngestStore({
        client: wiring.documents ?? harness.documents,
        portfolioTable: harness.dynamo.tables.Portfolio!,
        activityTable: harness.dynamo.tables.Activity!,
        retentionDays: 400,
        ...(wiring.claimTimeoutSeconds ? { claimTimeoutSeconds: wiring.claimTimeoutSeconds } : {}),
      });
      return wiring.store ? wiring.store(store) : store;
    },
    settings: {
      defaultLocale: 'en',
      defaultTimezone: 'Europe/Berlin',
      snapshotPrefix: 'snapshots/',
      reportPrefix: 'reports/',
    },
    events: harness.events,
    ...(wiring.now ? { now: wiring.now } : {}),
  });
}

/** One line per customer `prefix-0` ... `prefix-(n-1)`, with the snapshot date in the file. */
function customersCsv(prefix: string, n: number, date: string): string {
  const lines = [`${HEADER},snapshot_date`];
  for (let i = 0; i < n; i++) lines.push(`${csvLine({ customer_id: `${prefix}-${i}` })},${date}`);
  return `${lines.join('\n')}\n`;
}

async function fileRecord(fileId: string): Promise<Record<string, unknown> | undefined> {
  const result = await harness.documents.send(
    new GetCommand({
      TableName: harness.dynamo.tables.Activity!,
      Key: keys.ingestFile(fileId),
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

async function customerCount(): Promise<number> {
  const result = await harness.documents.send(
    new GetCommand({
      TableName: harness.dynamo.tables.Portfolio!,
      Key: keys.portfolio(),
      ConsistentRead: true,
    }),
  );
  return Number(result.Item?.customerItems ?? 0);
}

/** Every customer of the file is stored once, with this night in its history exactly once. */
async function expectStoredOnce(prefix: string, n: number, date: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const item = await harness.customer(`${prefix}-${i}`);
    expect(item, `${prefix}-${i}`).toMatchObject({
      lastSnapshotDate: date,
      state: { licensesPurchased: 10 },
    });
    expect(
      String(item!.history)
        .split(' ')
        .filter((point) => point.startsWith(`${date}=`)),
    ).toHaveLength(1);
  }
  expect(await harness.rawRowCount(date)).toBe(n);
}

/** Makes `method` of the store throw once, after `skip` calls went through; `dies` also drops every release. */
function failingAt(method: 'saveCustomers' | 'saveRawRows', skip: number, dies: boolean) {
  let calls = 0;
  return (store: DynamoIngestStore): IngestStore =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (dies && (property === 'releaseFile' || property === 'releaseCustomerWrites'))
          return async () => {};
        return async (...args: unknown[]) => {
          if (property === method && ++calls === skip + 1) throw new Error('the function died here');
          return value.apply(target, args);
        };
      },
    });
}

describe('ingest under faults', () => {
  it('rejects only the customer whose item DynamoDB refuses as too large; the rest of its batch is written', async () => {
    // Prepare: 30 customers, so the refused one shares a 25-item batch with others
    const date = '2027-02-01';
    const record = await harness.upload(`snapshots/${date}.csv`, customersCsv('big', 30, date));
    const { documents, log } = faultyDynamo(harness.dynamo.endpoint, ({ operation, body }) =>
      (operation === 'BatchWriteItem' || operation === 'PutItem') &&
      body.includes(harness.dynamo.tables.Portfolio!) &&
      body.includes('"big-7"')
        ? itemTooLarge
        : undefined,
    );

    // Act
    const [outcome] = await handler({ documents })({ Records: [record] });

    // Assess
    expect(outcome).toMatchObject({
      status: 'ingested',
      record: { rows: 30, accepted: 29, rejectedCount: 1, customers: 29 },
    });
    expect(log.faults.ValidationException).toBeGreaterThanOrEqual(2);
    expect(await harness.customer('big-7')).toBeUndefined();
    for (const i of [0, 6, 8, 24, 25, 29]) expect(await harness.customer(`big-${i}`)).toBeDefined();
    const report = await harness.report(`reports/${date}.csv.json`);
    expect(report).toMatchObject({ accepted: 29, customers: 29 });
    expect(report.rejected).toEqual([
      {
        line: 9,
        column: 'customer_id',
        reason:
          'customer_id "big-7" could not be stored: the database refused its record (too large); none of its lines were ingested',
      },
    ]);
    if (outcome!.status !== 'ingested') throw new Error('not ingested');
    expect(await fileRecord(outcome!.record.fileId)).toMatchObject({ status: 'ingested', rejectedCount: 1 });
  });

  it('absorbs throttling by DynamoDB and S3, and a lost answer to its own claim, writing everything once', async () => {
    // Prepare: every first try of every DynamoDB operation throttled; the claim done but its answer lost;
    // the download and the report upload slowed down once each
    const date = '2027-02-02';
    const record = await harness.upload(`snapshots/${date}.csv`, customersCsv('slow', 40, date));
    const before = await customerCount();
    const dynamo = faultyDynamo(harness.dynamo.endpoint, ({ operation }, count) =>
      operation === 'UpdateItem' && count === 1
        ? { status: 500, code: 'InternalServerError', message: 'lost', after: true }
        : count % 2 === 1
          ? dynamoThrottling
          : undefined,
    );
    const s3 = faultyS3(harness.s3.endpoint, ({ operation }, count) =>
      (operation.startsWith('GET /clm-snapshots/snapshots/') ||
        operation.startsWith('PUT /clm-snapshots/reports/')) &&
      count === 1
        ? s3SlowDown
        : undefined,
    );

    // Act
    const [outcome] = await handler({ documents: dynamo.documents, s3: s3.client })({ Records: [record] });

    // Assess
    expect(outcome).toMatchObject({ status: 'ingested', record: { accepted: 40, customers: 40 } });
    expect(dynamo.log.faults.ProvisionedThroughputExceededException).toBeGreaterThan(3);
    expect(s3.log.faults.SlowDown).toBe(2);
    await expectStoredOnce('slow', 40, date);
    expect(await customerCount()).toBe(before + 40);
    expect(await harness.report(`reports/${date}.csv.json`)).toMatchObject({ accepted: 40 });
  });

  it('fails the event when throttling outlasts every retry, and the retried event completes the file', async () => {
    // Prepare: customer writes throttled for as long as the first invocation runs
    const date = '2027-02-03';
    const record = await harness.upload(`snapshots/${date}.csv`, customersCsv('storm', 30, date));
    let storm = true;
    const { documents } = faultyDynamo(harness.dynamo.endpoint, ({ operation, body }) =>
      storm && operation === 'BatchWriteItem' && body.includes(harness.dynamo.tables.Portfolio!)
        ? dynamoThrottling
        : undefined,
    );
    const before = await customerCount();

    // Act
    const first = await handler({ documents })({ Records: [record] }).catch((error: Error) => error);
    storm = false;
    const [retry] = await handler({ documents })({ Records: [record] });

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(retry).toMatchObject({ status: 'ingested', record: { accepted: 30, customers: 30 } });
    await expectStoredOnce('storm', 30, date);
    expect(await customerCount()).toBe(before + 30);
  }, 120_000);

  it('completes a file exactly on the retry after an error mid-file', async () => {
    // Prepare: 250 customers in three batches; the second batch's write fails
    const date = '2027-02-04';
    const record = await harness.upload(`snapshots/${date}.csv`, customersCsv('halfway', 250, date));
    const before = await customerCount();

    // Act
    const first = await handler({ store: failingAt('saveCustomers', 1, false) })({ Records: [record] }).catch(
      (error: Error) => error,
    );
    const written = await harness.customer('halfway-0');
    const [retry] = await handler()({ Records: [record] });

    // Assess
    expect((first as Error).message).toBe('the function died here');
    expect(written).toBeDefined();
    expect(retry).toMatchObject({ status: 'ingested', record: { accepted: 250, customers: 250 } });
    await expectStoredOnce('halfway', 250, date);
    expect(await customerCount()).toBe(before + 250);
  });

  it('after the function dies mid-file, retries wait for the claim to lapse, then complete the file exactly', async () => {
    // Prepare: the function dies after the first batch, releasing nothing
    const date = '2027-02-05';
    const record = await harness.upload(`snapshots/${date}.csv`, customersCsv('dead', 150, date));
    const before = await customerCount();
    await handler({ store: failingAt('saveCustomers', 1, true) })({ Records: [record] }).catch(
      () => undefined,
    );

    // Act: a retry at once, and one after the claim's time is up
    const soon = await handler()({ Records: [record] }).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = new Date(Date.now() + 60_000);
    const [late] = await handler({ claimTimeoutSeconds: 1, now: () => later })({ Records: [record] });

    // Assess
    expect((soon as Error).name).toBe('IngestInProgressError');
    expect(late).toMatchObject({ status: 'ingested', record: { accepted: 150, customers: 150 } });
    await expectStoredOnce('dead', 150, date);
    expect(await customerCount()).toBe(before + 150);
  });
});
