import type { IsoDate } from '../domain/dates';

/** One part of a split night: the scan segment `index` of `count`, evaluated as of `today`. */
export interface EvaluationShard {
  today: IsoDate;
  index: number;
  count: number;
}

/** Hands the shards of a night to the workers that evaluate them. */
export interface ShardQueue {
  send(shards: readonly EvaluationShard[]): Promise<void>;
}
