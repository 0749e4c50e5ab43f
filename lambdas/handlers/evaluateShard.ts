import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { shardOf } from '../adapters/sqs/sqsShardQueue';
import { evaluatePortfolio } from '../delivery/evaluatePortfolio';
import type { NightDependencies } from '../delivery/runNight';
import { logger } from '../shared/logger';
import { METRIC, metrics } from '../shared/observability';
import { evaluationWiring } from './evaluationWiring';

let wiring: NightDependencies | undefined;

/**
 * One shard of a split night, from the queue (one message per invocation). A failure throws, so SQS delivers the
 * message again and, after its last attempt, to the dead-letter queue; evaluating a shard twice changes nothing.
 */
export const handler = async (event: SQSEvent): Promise<void> => {
  wiring ??= evaluationWiring();
  try {
    for (const record of event.Records) {
      const { today, index, count } = shardOf(record.body);
      const result = await evaluatePortfolio(wiring, today, { shard: { index, count } });
      metrics.addMetric(METRIC.stepsRescheduled, MetricUnit.Count, result.rescheduled);
      logger.info('shard evaluated', { today, shard: index, shards: count, ...result });
    }
  } finally {
    metrics.publishStoredMetrics();
  }
};
