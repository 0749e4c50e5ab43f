import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSEvent } from 'aws-lambda';
import { shardOf } from '../adapters/sqs/sqsShardQueue';
import { type EvaluateDependencies, evaluatePortfolio } from '../delivery/evaluatePortfolio';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { lambdaInput, onColdStart, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { countRescheduled, publishMetrics } from '../shared/observability';
import { evaluationOf } from './evaluate';

/** The shard worker's composition root: the nightly evaluation without the queue (a worker sends no shards). */
export function evaluateShardRoot(
  input: RootInput<'evaluateShard', 'dynamodb' | 'scheduler' | 'ses'>,
): EvaluateDependencies {
  return evaluationOf(input);
}

/**
 * One shard of a split night, from the queue (one message per invocation). A failure throws, so SQS delivers the
 * message again and, after its last attempt, to the dead-letter queue; evaluating a shard twice changes nothing.
 */
export function createEvaluateShardHandler(deps: EvaluateDependencies) {
  return async (event: SQSEvent) => {
    try {
      const results: Awaited<ReturnType<typeof evaluatePortfolio>>[] = [];
      for (const record of event.Records) {
        const { today, index, count } = shardOf(record.body);
        const result = await evaluatePortfolio(deps, today, { shard: { index, count } });
        countRescheduled(result.rescheduled);
        logger.info('shard evaluated', { today, shard: index, shards: count, ...result });
        results.push(result);
      }
      return results;
    } finally {
      publishMetrics();
    }
  };
}

export const handler = onColdStart(() =>
  createEvaluateShardHandler(
    evaluateShardRoot(
      lambdaInput('evaluateShard', {
        dynamodb: lambdaDocumentClient(),
        scheduler: new SchedulerClient(CLIENT_CONFIG),
        ses: new SESv2Client(CLIENT_CONFIG),
      }),
    ),
  ),
);
