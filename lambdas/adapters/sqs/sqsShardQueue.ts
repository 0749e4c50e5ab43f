import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { isIsoDate } from '../../domain/dates';
import type { EvaluationShard, ShardQueue } from '../../ports/shardQueue';
import { resendUnprocessed } from '../resendUnprocessed';

const BATCH_SIZE = 10;

/** Shards as SQS messages, ten to a request; entries SQS did not take are sent again. */
export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(shards: readonly EvaluationShard[]): Promise<void> {
    for (let i = 0; i < shards.length; i += BATCH_SIZE) {
      const entries = shards.slice(i, i + BATCH_SIZE).map((shard) => ({
        Id: `shard-${shard.index}`,
        MessageBody: JSON.stringify(shard),
      }));
      await resendUnprocessed(
        entries,
        async (pending) => {
          const result = await this.client.send(
            new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: [...pending] }),
          );
          const failed = new Set((result.Failed ?? []).map((f) => f.Id));
          return pending.filter((entry) => failed.has(entry.Id));
        },
        (left, rounds) => new Error(`${left} evaluation shards not queued after ${rounds} attempts`),
      );
    }
  }
}

/** The shard a queued message carries, checked: a malformed message is an error, not a guess. */
export function shardOf(body: string): EvaluationShard {
  const value = JSON.parse(body) as Partial<EvaluationShard>;
  const { today, index, count } = value;
  if (
    typeof today !== 'string' ||
    !isIsoDate(today) ||
    !Number.isInteger(index) ||
    !Number.isInteger(count) ||
    (index as number) < 0 ||
    (index as number) >= (count as number)
  ) {
    throw new Error(`not an evaluation shard: ${body.slice(0, 200)}`);
  }
  return { today, index: index as number, count: count as number };
}
