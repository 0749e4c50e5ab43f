import type { IsoDate } from '../domain/dates';

/**
 * The days on which each admin is booked for a customer email, across the whole portfolio. A whole-portfolio
 * evaluation sees every case and needs no book to keep "one customer email a day per recipient"; shards of one
 * night each see a part, so every scheduled email books its day here and a shard reads the others' bookings.
 */
export interface EmailDayBook {
  /** For each address (lower-cased), its booked days from `from` on, with the customer whose email holds each. */
  bookedDays(recipients: readonly string[], from: IsoDate): Promise<Map<string, Map<IsoDate, string>>>;
  /**
   * Books a day for an email to a customer's admin; false when another customer's email holds it. Booking again
   * for the same customer succeeds: a repeated shard re-plans what it planned before.
   */
  book(recipient: string, day: IsoDate, customerId: string): Promise<boolean>;
}
