import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { backoffDelay, mapWithConcurrency, sleep } from '../../shared/concurrency';
import { withThrottlingRetry } from './retry';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const BATCH_SIZE = 25;
const MAX_ROUNDS = 10;

export class UnprocessedItemsError extends Error {
  override name = 'UnprocessedItemsError';
}

/**
 * Writes every request in batches of 25, a few batches at a time. Items DynamoDB hands back as unprocessed
 * are retried with backoff and jitter until they land; throttling errors are retried too.
 * Returns the number of item writes sent (retries included), the unit DynamoDB bills.
 */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  concurrency = 4,
): Promise<number> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
  const sent = await mapWithConcurrency(batches, concurrency, async (batch) => {
    let pending = batch;
    let items = 0;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS)
        throw new UnprocessedItemsError(
          `${pending.length} items still unprocessed after ${MAX_ROUNDS} rounds`,
        );
      if (round > 0) await sleep(backoffDelay(round, { baseMs: 25, maxMs: 2_000 }));
      items += pending.length;
      const result = await withThrottlingRetry(() =>
        client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })),
      );
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
    return items;
  });
  return sent.reduce((a, b) => a + b, 0);
}
