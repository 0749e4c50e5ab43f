import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffDelay, mapWithConcurrency, sleep } from '../../shared/concurrency';
import { withThrottlingRetry } from './retry';

const BATCH_SIZE = 100;
const MAX_ROUNDS = 10;

/**
 * Reads every key in batches of 100, a few batches at a time; keys DynamoDB hands back as unprocessed are asked
 * for again with backoff. Missing items are simply absent from the result.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: { consistentRead?: boolean; projection?: string; concurrency?: number } = {},
): Promise<{ items: Record<string, unknown>[]; requests: number }> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_SIZE) batches.push(keys.slice(i, i + BATCH_SIZE));
  let requests = 0;
  const results = await mapWithConcurrency(batches, options.concurrency ?? 4, async (batch) => {
    const items: Record<string, unknown>[] = [];
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS)
        throw new Error(`${pending.length} keys still unprocessed after ${MAX_ROUNDS} rounds`);
      if (round > 0) await sleep(backoffDelay(round, { baseMs: 25, maxMs: 2_000 }));
      requests++;
      const result = await withThrottlingRetry(() =>
        client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ...(options.consistentRead ? { ConsistentRead: true } : {}),
                ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              },
            },
          }),
        ),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return items;
  });
  return { items: results.flat(), requests };
}
