import { daysBetween, type IsoDate } from './dates';

// Where a customer stands in its subscription term. Renewal steps key off term_end, not off a week number,
// so one-year, three-year and odd-length terms all work: "week 40" of a 52-week term is 84 days before the end.

export interface Term {
  termStart: IsoDate;
  /** Null for monthly (rolling) lines: no end to count towards. */
  termEnd: IsoDate | null;
}

/** Days since the term started (0 on term_start; negative before it). */
export function termDay(term: Term, date: IsoDate): number {
  return daysBetween(term.termStart, date);
}

/** 1 in the first seven days of the term. */
export function termWeek(term: Term, date: IsoDate): number {
  return Math.floor(termDay(term, date) / 7) + 1;
}

/**
 * Days left until term_end (0 on the day itself, negative once it has passed). A rolling term has no end:
 * infinitely far, so "more than 84 days before term_end" holds and "within 84 days" never does.
 */
export function daysToTermEnd(term: Term, date: IsoDate): number {
  return term.termEnd === null ? Number.POSITIVE_INFINITY : daysBetween(date, term.termEnd);
}
