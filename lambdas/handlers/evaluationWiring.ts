import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsShardQueue } from '../adapters/sqs/sqsShardQueue';
import { DEFAULT_CUSTOMERS_PER_SHARD, type NightDependencies } from '../delivery/runNight';
import { DEFAULT_PLAYBOOK, type Playbook, parsePlaybook } from '../domain/playbook/playbook';
import { deliveryWiring, EnvironmentError } from './deliveryWiring';

/** The reseller's playbook from the stack (checked at synth, checked again here), else the default one. */
export function playbookOf(env: NodeJS.ProcessEnv = process.env): Playbook {
  return env.PLAYBOOK ? parsePlaybook(JSON.parse(env.PLAYBOOK)) : DEFAULT_PLAYBOOK;
}

/** The evaluation's functions (the nightly run and its shard workers): delivery's wiring, the playbook, the queue. */
export function evaluationWiring(env: NodeJS.ProcessEnv = process.env): NightDependencies {
  const wiring = deliveryWiring(env);
  const customersPerShard = Number(env.CUSTOMERS_PER_SHARD?.trim() || DEFAULT_CUSTOMERS_PER_SHARD);
  if (!Number.isInteger(customersPerShard) || customersPerShard <= 0)
    throw new EnvironmentError('CUSTOMERS_PER_SHARD: expected a whole number of customers');
  const queueUrl = env.SHARD_QUEUE_URL?.trim();
  return {
    ...wiring,
    settings: { ...wiring.settings, playbook: playbookOf(env) },
    customersPerShard,
    // Only the nightly run sends shards; a worker's environment names no queue.
    shards: queueUrl
      ? new SqsShardQueue(new SQSClient({}), queueUrl)
      : {
          send: async () => {
            throw new EnvironmentError('SHARD_QUEUE_URL: required to split the night');
          },
        },
  };
}
