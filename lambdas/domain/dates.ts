// Calendar dates as 'YYYY-MM-DD' strings. Lifecycle arithmetic is in whole days on the UTC calendar,
// so a date means the same day wherever the evaluator runs.

export type IsoDate = string;

const DASH = 0x2d;
const ZERO = 0x30;
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9];
const DAY_MS = 86_400_000;

export function isIsoDate(value: string): boolean {
  // Checked character by character rather than through a pattern and Date: a snapshot has three dates per row
  // and hundreds of thousands of rows.
  if (value.length !== 10 || value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH) return false;
  let number = 0;
  for (const i of DIGIT_POSITIONS) {
    const digit = value.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return false;
    number = number * 10 + digit;
  }
  const year = Math.floor(number / 10_000);
  const month = Math.floor(number / 100) % 100;
  const day = number % 100;
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return day <= (leap ? 29 : 28);
  }
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

// A night's evaluation does date arithmetic millions of times over a few thousand distinct dates: both directions
// are remembered (bounded, so a long-lived process does not grow without end).
const CACHE_LIMIT = 20_000;
const epochDays = new Map<string, number>();
const isoDates = new Map<number, IsoDate>();

export function toEpochDay(date: IsoDate): number {
  let day = epochDays.get(date);
  if (day === undefined) {
    if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
    day = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
    if (epochDays.size >= CACHE_LIMIT) epochDays.clear();
    epochDays.set(date, day);
  }
  return day;
}

export function fromEpochDay(day: number): IsoDate {
  let date = isoDates.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (isoDates.size >= CACHE_LIMIT) isoDates.clear();
    isoDates.set(day, date);
  }
  return date;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toEpochDay(date) * DAY_MS).getUTCDay();
}

export function isBusinessDay(date: IsoDate): boolean {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6;
}

/** The date itself when it is a business day (Mon–Fri), else the following Monday. */
export function onOrAfterBusinessDay(date: IsoDate): IsoDate {
  let day = date;
  while (!isBusinessDay(day)) day = addDays(day, 1);
  return day;
}

export function nextBusinessDay(date: IsoDate): IsoDate {
  return onOrAfterBusinessDay(addDays(date, 1));
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date an instant falls on in a time zone: "today" where the reseller works. */
export function todayIn(timeZone: string, now: Date): IsoDate {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    // en-CA writes dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter.format(now);
}
