import type { IsoDate } from '../domain/dates';
import type { ShardQueue } from '../ports/shardQueue';
import { type EvaluateDependencies, evaluatePortfolio } from './evaluatePortfolio';

/** One invocation's share when the stack does not say: see "Performance" in the README for the figures. */
export const DEFAULT_CUSTOMERS_PER_SHARD = 50_000;

export interface NightDependencies extends EvaluateDependencies {
  shards: ShardQueue;
  /** The most customers one invocation evaluates; a larger portfolio is split into scan segments this size. */
  customersPerShard: number;
}

export type NightOutcome =
  | ({ mode: 'whole' } & Awaited<ReturnType<typeof evaluatePortfolio>>)
  | { mode: 'split'; customers: number; shards: number };

/**
 * The nightly run: a portfolio that fits one invocation is evaluated here; a larger one is split into parallel
 * scan segments, one queue message each, for the shard workers (which run evaluatePortfolio on their segment).
 */
export async function runNight(deps: NightDependencies, today: IsoDate): Promise<NightOutcome> {
  const customers = await deps.store.customerCount();
  const shards = Math.ceil(customers / deps.customersPerShard);
  if (shards <= 1) return { mode: 'whole', ...(await evaluatePortfolio(deps, today, { customers })) };
  await deps.shards.send(Array.from({ length: shards }, (_, index) => ({ today, index, count: shards })));
  return { mode: 'split', customers, shards };
}
