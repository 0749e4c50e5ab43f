import { daysBetween, type IsoDate } from './dates';

// Where a customer stands in its subscription term. Renewal steps key off term_end, not off a week number,
// so one-year, three-year and odd-length terms all work: "week 40" of a 52-week term is 84 days before the end.

export interface Term {
  termStart: IsoDate;
  termEnd: IsoDate;
}

/** Days since the term started (0 on term_start; negative before it). */
export function termDay(term: Term, date: IsoDate): number {
  return daysBetween(term.termStart, date);
}

/** 1 in the first seven days of the term. */
export function termWeek(term: Term, date: IsoDate): number {
  return Math.floor(termDay(term, date) / 7) + 1;
}

/** Days left until term_end (0 on the day itself, negative once it has passed). */
export function daysToTermEnd(term: Term, date: IsoDate): number {
  return daysBetween(date, term.termEnd);
}

/** Renewed: a later snapshot shows term_end moved forward from the one a case was opened for. */
export function isRenewed(caseTermEnd: IsoDate, currentTermEnd: IsoDate): boolean {
  return currentTermEnd > caseTermEnd;
}
