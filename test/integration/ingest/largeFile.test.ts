import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerItem, stateOf } from '../../../lambdas/adapters/dynamodb/customerItem';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { keys } from '../../../lambdas/adapters/dynamodb/tableDesign';
import { S3SnapshotBucket } from '../../../lambdas/adapters/s3/s3SnapshotBucket';
import { ingestSnapshot } from '../../../lambdas/ingest/ingestSnapshot';
import { documentClient, LOCAL_CREDENTIALS, LOCAL_REGION, s3Client } from '../../../local/emulators';
import { type EmulatorEndpoints, startEmulatorProcess } from '../../helpers/emulatorProcess';

const ROWS = 200_000;
const PRODUCTS = 50;

// A Partner Center style export: the columns we read plus the many we ignore, as real exports have.
const HEADER =
  'customerId,customerName,customerDomain,Admin Email,Owner Email,subscriptionId,offerId,productName,billingFrequency,licensesSold,licensesDeployed,licensesActive,Term Start,Renewal Date,partnerId,tenantId,orderId,resellerMpnId';

/** A GUID-shaped id, as Partner Center exports carry several per line. */
function guid(seed: number): string {
  const hex = (Math.imul(seed + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-a${hex.slice(5, 8)}-${hex}${hex.slice(0, 4)}`;
}

function* exportLines(): Generator<string> {
  yield `${HEADER}\n`;
  for (let n = 0; n < ROWS; n++) {
    const c = Math.floor(n / PRODUCTS);
    const p = n % PRODUCTS;
    const sold = 5 + ((c * 7 + p) % 60);
    yield `TEN-${c},"Customer ${c} Holdings, Ltd",customer${c}.example,admin@customer${c}.example,owner${c % 9}@reseller.example,${(n * 2654435761).toString(16).padStart(12, '0')}-4f1e-9a7b-${c}-${p},CFQ7TTC0${p}LH${p},Product line ${p},Monthly,${sold},${sold - (c % 4)},${sold - (c % 5)},2026-02-01,2027-02-01,PARTNER-000412,${guid(c)},${guid(n + 7_919)},4512339\n`;
  }
}

function fileLength(): number {
  let bytes = 0;
  for (const line of exportLines()) bytes += Buffer.byteLength(line);
  return bytes;
}

function retained(): number {
  global.gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * What stays retained once work in flight has settled: on a loaded machine the last responses' socket buffers
 * and pending callbacks can still be alive right after the ingest returns, so the lowest of a few readings
 * a quarter second apart is taken.
 */
async function settled(): Promise<number> {
  let lowest = retained();
  for (let n = 0; n < 8; n++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    lowest = Math.min(lowest, retained());
  }
  return lowest;
}

let emulators: EmulatorEndpoints & { stop(): Promise<void> };
beforeAll(async () => {
  emulators = await startEmulatorProcess();
}, 60_000);
afterAll(async () => {
  await emulators?.stop();
});

describe('ingesting a 200,000-row file', () => {
  it('keeps memory flat: it holds compact line items, never the file, and at most one write per row', async () => {
    // Prepare: the file streams into S3 without ever being built in memory
    const s3 = s3Client(emulators.s3);
    const length = fileLength();
    await s3.send(
      new PutObjectCommand({
        Bucket: emulators.bucket,
        Key: 'snapshots/2026-11-20.csv',
        Body: Readable.from(exportLines()),
        ContentLength: length,
      }),
    );
    const documents = documentClient(
      new DynamoDBClient({
        endpoint: emulators.dynamo,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    const store = new DynamoIngestStore({
      client: documents,
      portfolioTable: emulators.tables.Portfolio!,
      activityTable: emulators.tables.Activity!,
      retentionDays: 400,
    });
    const ingest = (key: string) =>
      ingestSnapshot(
        {
          bucket: new S3SnapshotBucket(s3),
          store,
          settings: {
            defaultLocale: 'en',
            defaultTimezone: 'UTC',
            snapshotPrefix: 'snapshots/',
            reportPrefix: 'reports/',
          },
        },
        emulators.bucket,
        key,
      );
    // Warm up on a small file first, so code loaded on first use is not counted as the big file's memory.
    const small = [...exportLines()].slice(0, 101).join('');
    await s3.send(
      new PutObjectCommand({ Bucket: emulators.bucket, Key: 'snapshots/2026-11-19.csv', Body: small }),
    );
    await ingest('snapshots/2026-11-19.csv');
    const before = await settled();
    let peak = before;
    // Sample retained memory (after a full GC) while the file streams and when the state writes begin.
    const saveRawRows = store.saveRawRows.bind(store);
    store.saveRawRows = async (chunks) => {
      peak = Math.max(peak, retained());
      return saveRawRows(chunks);
    };
    const saveCustomers = store.saveCustomers.bind(store);
    store.saveCustomers = async (customers) => {
      peak = Math.max(peak, retained());
      return saveCustomers(customers);
    };

    // Act
    const writesBefore = store.writeRequests;
    const outcome = await ingest('snapshots/2026-11-20.csv');
    const after = await settled();

    // Assess
    expect(outcome).toMatchObject({
      status: 'ingested',
      record: { rows: ROWS, accepted: ROWS, customers: ROWS / PRODUCTS },
    });
    const last = await documents.send(
      new GetCommand({
        TableName: emulators.tables.Portfolio!,
        Key: keys.customer(`TEN-${ROWS / PRODUCTS - 1}`),
      }),
    );
    const state = stateOf(last.Item as CustomerItem);
    expect(state).toMatchObject({ lines: expect.any(Array), licensesPurchased: expect.any(Number) });
    expect(state.lines).toHaveLength(PRODUCTS);
    // What the ingest holds at its fullest (every line item read, before the state writes) grows with the lines,
    // not with the width of the file's rows: the reader's exact index of lines (each line's key, never a hash of
    // it) and the line store hold some 300 bytes a line here, where every line has its own subscription id. It
    // is all released.
    const figures = `peak ${peak - before} B, after ${after - before} B, file ${length} B`;
    expect((peak - before) / ROWS, figures).toBeLessThan(360);
    expect(after - before, figures).toBeLessThan(length / 5);
    // At most one write request per row (raw rows go 500 to an item; one state write per customer).
    expect((store.writeRequests - writesBefore) / ROWS).toBeLessThan(1);
  }, 240_000);
});
