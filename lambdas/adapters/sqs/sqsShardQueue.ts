import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { isIsoDate } from '../../domain/dates';
import type { EvaluationShard, ShardQueue } from '../../ports/shardQueue';
import { backoffDelay, sleep } from '../../shared/concurrency';

const BATCH_SIZE = 10;
const MAX_ROUNDS = 5;

/** Shards as SQS messages, ten to a request; entries SQS did not take are sent again with backoff. */
export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(shards: readonly EvaluationShard[]): Promise<void> {
    for (let i = 0; i < shards.length; i += BATCH_SIZE) {
      let pending = shards.slice(i, i + BATCH_SIZE).map((shard) => ({
        Id: `shard-${shard.index}`,
        MessageBody: JSON.stringify(shard),
      }));
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_ROUNDS)
          throw new Error(`${pending.length} evaluation shards not queued after ${MAX_ROUNDS} attempts`);
        if (round > 0) await sleep(backoffDelay(round, { baseMs: 100, maxMs: 5_000 }));
        const result = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        pending = pending.filter((entry) => failed.has(entry.Id));
      }
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
