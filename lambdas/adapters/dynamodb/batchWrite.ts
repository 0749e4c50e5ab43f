import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../../shared/concurrency';
import { resendUnprocessed } from '../resendUnprocessed';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const BATCH_SIZE = 25;

export class UnprocessedItemsError extends Error {
  override name = 'UnprocessedItemsError';
}

/**
 * Writes every request in batches of 25, a few batches at a time. Items DynamoDB hands back as unprocessed
 * are sent again until they land; throttling errors are the SDK's to retry (lambdas/shared/awsClients.ts).
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
    let items = 0;
    await resendUnprocessed(
      batch,
      async (pending) => {
        items += pending.length;
        const result = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }),
        );
        return result.UnprocessedItems?.[tableName] ?? [];
      },
      (left, rounds) => new UnprocessedItemsError(`${left} items still unprocessed after ${rounds} rounds`),
    );
    return items;
  });
  return sent.reduce((a, b) => a + b, 0);
}
