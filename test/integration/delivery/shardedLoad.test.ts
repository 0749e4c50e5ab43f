import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEmailDayBook } from '../../../lambdas/adapters/dynamodb/dynamoEmailDayBook';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoPlannedEmails } from '../../../lambdas/adapters/dynamodb/dynamoPlannedEmails';
import { DynamoPortfolioStore } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../../../lambdas/adapters/dynamodb/dynamoSuppressionList';
import { usagePointOf } from '../../../lambdas/domain/customer';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { type LocalDynamo, startDynamo } from '../../../local/emulators';
import { customerState } from '../../helpers/customerFactory';

let dynamo: LocalDynamo;
let store: DynamoPortfolioStore;
const CUSTOMERS = 60;

beforeAll(async () => {
  dynamo = await startDynamo();
  const ingest = new DynamoIngestStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    activityTable: dynamo.tables.Activity!,
    retentionDays: 400,
  });
  store = new DynamoPortfolioStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    retentionDays: 400,
  });
  const states = Array.from({ length: CUSTOMERS }, (_, i) =>
    customerState({ customerId: `C-${i}`, adminEmail: `admin${i}@customer${i}.example`, date: '2026-03-02' }),
  );
  await ingest.saveCustomers(states.map((state) => ({ state, point: usagePointOf(state) })));
  await ingest.advancePortfolioDate('2026-03-02', CUSTOMERS);
  // Two cases per customer (only the fields the store keeps by), and every third admin unsubscribed.
  await store.saveCases(
    states.flatMap((s) =>
      ['welcome', 'renewal'].map(
        (play) =>
          ({
            customerId: s.customerId,
            caseId: `${s.customerId}#${play}`,
            playId: play,
            status: 'open',
            steps: [],
          }) as unknown as Case,
      ),
    ),
  );
  const suppressions = new DynamoSuppressionList(dynamo.documents, dynamo.tables.Portfolio!);
  for (let i = 0; i < CUSTOMERS; i += 3)
    await suppressions.suppress(`admin${i}@customer${i}.example`, 'unsubscribed', new Date());
});
afterAll(async () => {
  await dynamo.close();
});

describe('a whole-portfolio read', () => {
  it('scans a small portfolio in one request and a large one in a segment per 10,000 customers, missing nobody', async () => {
    // Act: the count read from the portfolio item (60 customers), then a count said to be 25,000.
    const before = store.requests.reads;
    const small = await store.load();
    const smallReads = store.requests.reads - before;
    const large = await store.load({ customers: 25_000 });
    const largeReads = store.requests.reads - before - smallReads;

    // Assess: the portfolio item and one page; three segments of one page each, with the same customers.
    expect(smallReads).toBe(2);
    expect(largeReads).toBe(3);
    expect(small.customers).toHaveLength(CUSTOMERS);
    expect(large.customers.map((c) => c.state.customerId).sort()).toEqual(
      small.customers.map((c) => c.state.customerId).sort(),
    );
    expect(large.cases).toHaveLength(CUSTOMERS * 2);
  });
});

describe('an evaluation shard', () => {
  it('holds its customers with all their cases, its admins suppressions and the portfolio date; shards add up to the whole', async () => {
    // Act
    const whole = await store.load();
    const shards = await Promise.all([0, 1, 2, 3].map((index) => store.load({ shard: { index, count: 4 } })));

    // Assess
    const ids = shards.flatMap((s) => s.customers.map((c) => c.state.customerId)).sort();
    expect(ids).toEqual(whole.customers.map((c) => c.state.customerId).sort());
    expect(ids).toHaveLength(CUSTOMERS);
    expect(shards.filter((s) => s.customers.length > 0).length).toBeGreaterThan(1);
    for (const shard of shards) {
      const mine = new Set(shard.customers.map((c) => c.state.customerId));
      expect(shard.cases.every((c) => mine.has(c.customerId))).toBe(true);
      expect(shard.cases).toHaveLength(mine.size * 2);
      expect(shard.portfolioDate).toBe('2026-03-02');
      const suppressedAdmins = shard.customers
        .map((c) => c.state.adminEmail)
        .filter((email) => whole.suppressedEmails.has(email));
      expect([...shard.suppressedEmails].sort()).toEqual(suppressedAdmins.sort());
    }
    expect(whole.suppressedEmails.size).toBe(CUSTOMERS / 3);
  });
});

describe('the nightly scan', () => {
  it('is sent back only the items a load uses: not the quota counts, the email days or an expired item', async () => {
    // Prepare: the quota's counts and an admin's email days, as the evaluation writes them, and a pause long over
    const planned = new DynamoPlannedEmails(dynamo.documents, dynamo.tables.Portfolio!);
    for (let hour = 8; hour < 12; hour++) await planned.add(`2026-03-0${hour - 5}T0${hour % 10}:30Z`, 3);
    await new DynamoEmailDayBook(dynamo.documents, dynamo.tables.Portfolio!).book(
      'admin1@customer1.example',
      '2026-03-03',
      'C-1',
    );
    await dynamo.documents.send(
      new PutCommand({
        TableName: dynamo.tables.Portfolio!,
        Item: {
          pk: 'CUSTOMER#C-2',
          sk: 'PAUSE',
          entity: 'pause',
          customerId: 'C-2',
          until: '2026-01-31',
          by: 'o@r.example',
          expiresAt: 1_769_904_000,
        },
      }),
    );
    const returned: number[] = [];
    const scanned: number[] = [];
    const counting = new DynamoPortfolioStore({
      client: countingScans(returned, scanned),
      portfolioTable: dynamo.tables.Portfolio!,
      retentionDays: 400,
      now: () => new Date('2026-03-02T02:00:00Z'),
    });

    // Act
    const snapshot = await counting.load();

    // Assess: DynamoDB read every item, but answered with the customers, cases, suppressions and portfolio item only
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(returned)).toBe(CUSTOMERS + CUSTOMERS * 2 + CUSTOMERS / 3 + 1);
    expect(sum(scanned)).toBeGreaterThan(sum(returned) + 4);
    expect(snapshot.pauses).toEqual([]);
    expect(snapshot.customers).toHaveLength(CUSTOMERS);
  });
});

/** The store's client, noting each Scan page's Count (items sent back) and ScannedCount (items read). */
function countingScans(returned: number[], scanned: number[]) {
  const client = DynamoDBDocumentClient.from(dynamo.client);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { Count?: number; ScannedCount?: number };
      if (output.ScannedCount !== undefined) {
        returned.push(output.Count ?? 0);
        scanned.push(output.ScannedCount);
      }
      return result;
    },
    { step: 'initialize', name: 'countScans' },
  );
  return client;
}
