import type { IsoDate } from '../domain/dates';

/**
 * How many customer emails are planned to go out in each quarter hour (keys as quarterKey writes them, UTC) across
 * the whole portfolio: every night's and every shard's. The evaluation reads it to know the room the SES quota
 * leaves in any 24 hours, and adds what it plans.
 */
export interface PlannedEmails {
  /** Counts of the quarters from the start of `from` (UTC) for `days` days; a quarter with nothing is absent. */
  countsFrom(from: IsoDate, days: number): Promise<Map<string, number>>;
  add(quarter: string, count: number): Promise<void>;
  /** Takes back emails that will not go (their case resolved before their day). */
  remove(quarter: string, count: number): Promise<void>;
}
