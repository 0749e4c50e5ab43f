import type { IsoDate } from '../domain/dates';

/**
 * How many customer emails are planned on each day across the whole portfolio: every night's and every shard's.
 * The evaluation reads it to know the room the sending quota leaves on a day, and adds what it plans.
 */
export interface PlannedEmails {
  /** Counts from `from` for `days` days; a day with nothing planned is absent. */
  countsFrom(from: IsoDate, days: number): Promise<Map<IsoDate, number>>;
  /** Adds `count` to a day if the day then stays within `limit`; false (nothing added) if it would not. */
  add(day: IsoDate, count: number, limit: number): Promise<boolean>;
  /** Takes back emails that will not go (their case resolved, or a planning attempt given up). */
  remove(day: IsoDate, count: number): Promise<void>;
}
