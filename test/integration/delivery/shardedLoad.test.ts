import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIngestStore } from '../../../lambdas/adapters/dynamodb/dynamoIngestStore';
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
