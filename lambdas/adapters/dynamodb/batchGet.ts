import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../../shared/concurrency';
import { resendUnprocessed } from '../resendUnprocessed';

const BATCH_SIZE = 100;

/**
 * Reads every key in batches of 100, a few batches at a time; keys DynamoDB hands back as unprocessed are asked
 * for again (throttling is the SDK's to retry). Missing items are simply absent from the result.
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
    await resendUnprocessed(
      batch,
      async (pending) => {
        requests++;
        const result = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: [...pending],
                ...(options.consistentRead ? { ConsistentRead: true } : {}),
                ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              },
            },
          }),
        );
        items.push(...(result.Responses?.[tableName] ?? []));
        return result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      },
      (left, rounds) => new Error(`${left} keys still unprocessed after ${rounds} rounds`),
    );
    return items;
  });
  return { items: results.flat(), requests };
}
