import { backoffDelay, sleep } from '../shared/concurrency';

const ROUNDS = 10;

/**
 * Sends a batch, then sends again what the service handed back unprocessed (DynamoDB's UnprocessedItems and
 * UnprocessedKeys, SQS's failed entries), with backoff and jitter. The one retry loop written here: a partial
 * success is not an error, so the SDK's own retry strategy never sees it. `send` returns what is left.
 */
export async function resendUnprocessed<T>(
  batch: readonly T[],
  send: (pending: readonly T[]) => Promise<readonly T[]>,
  giveUp: (left: number, rounds: number) => Error,
): Promise<void> {
  let pending = batch;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= ROUNDS) throw giveUp(pending.length, ROUNDS);
    if (round > 0) await sleep(backoffDelay(round, { baseMs: 25, maxMs: 2_000 }));
    pending = await send(pending);
  }
}
