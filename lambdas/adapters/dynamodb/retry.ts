import { backoffDelay, sleep } from '../../shared/concurrency';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

/** Retries a DynamoDB call that was throttled, with exponential backoff and full jitter. */
export async function withThrottlingRetry<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt + 1 >= attempts) throw error;
      await sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 5_000 }));
    }
  }
}
