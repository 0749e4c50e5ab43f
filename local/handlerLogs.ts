import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { logger } from '../lambdas/shared/logger';

/**
 * The handlers log a JSON line per ingest and step, which is what CloudWatch wants and a terminal does not. A
 * local run keeps them to errors unless asked: `--verbose`, or a log level set in the environment (which wins).
 */
export function quietHandlerLogs(verbose: boolean, env: NodeJS.ProcessEnv = process.env): void {
  const chosen = env.POWERTOOLS_LOG_LEVEL ?? env.LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL;
  logger.setLogLevel((chosen ?? (verbose ? 'INFO' : 'ERROR')) as LogLevel);
}
