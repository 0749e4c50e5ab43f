import { type IsoDate, isIsoDate } from '../dates';
import { quoted, SEATS_PER_LINE } from './limits';
import {
  CANONICAL_COLUMNS,
  NULLABLE_FIELDS,
  passesRowSchema,
  REQUIRED_FIELDS,
  SNAPSHOT_FIELDS,
  type SnapshotField,
  SnapshotRow,
} from './snapshotRow';

export const DATE_FORMATS = ['DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type RowOutcome =
  | { ok: true; row: SnapshotRow }
  | { ok: false; column: string | null; reason: string; ambiguousDate?: true };

class ValueError extends Error {
  override name = 'ValueError';
}

/** A day/month date (03/04/2026) in a file whose order no other value has settled yet. */
class AmbiguousDateError extends ValueError {
  override name = 'AmbiguousDateError';
}

/**
 * How one file's values are read. A file is read with one day/month order: the configured date format, else the
 * order the first unambiguous value (15/12/2025: day first; 12/15/2025: month first) shows.
 */
export class ValueReading {
  order: 'dmy' | 'mdy' | null;
  /** The value that settled the order, quoted when another value contradicts it. */
  settledBy: string | null = null;

  constructor(
    readonly dateFormat?: DateFormat,
    /** Thousands written 1.200 and decimals 10,0; the default reads 1,200 and 10.0. */
    readonly europeanNumbers = dateFormat === 'DD.MM.YYYY',
    /** Annual terms whose export gives only the end: the term starts a year before it. */
    readonly termStartFromEnd = false,
  ) {
    this.order = dateFormat === 'MM/DD/YYYY' ? 'mdy' : dateFormat ? 'dmy' : null;
  }
}

type ValueKind = 'count' | 'date' | 'text' | 'locale' | 'boolean';

const KIND: Partial<Record<SnapshotField, ValueKind>> = {
  licensesPurchased: 'count',
  licensesAssigned: 'count',
  activeUsers: 'count',
  termStart: 'date',
  termEnd: 'date',
  snapshotDate: 'date',
  locale: 'locale',
  autoRenew: 'boolean',
};

/** What is checked for each field, in column order: decided once, not per row. */
const FIELD_RULES = SNAPSHOT_FIELDS.map((field) => ({
  field,
  column: CANONICAL_COLUMNS[field],
  required: REQUIRED_FIELDS.includes(field),
  nullable: NULLABLE_FIELDS.includes(field),
  kind: KIND[field] ?? 'text',
}));

const WHOLE = /^\d+$/;
const ENGLISH_COUNT = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$/;
const EUROPEAN_COUNT = /^(\d{1,3}(?:[.\u00a0\u202f ]\d{3})+|\d+)(?:,0+)?$/;
const EUROPEAN_THOUSANDS = /^\d{1,3}(?:\.\d{3})+$/;

export function parseCount(value: unknown, europeanNumbers = false): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return withinSeats(value, value);
    throw new ValueError(`expected a whole number of seats, 0 or more, got ${value}`);
  }
  const text = String(value).trim();
  if (WHOLE.test(text)) return withinSeats(Number(text), text);
  const match = (europeanNumbers ? EUROPEAN_COUNT : ENGLISH_COUNT).exec(text);
  if (match) return withinSeats(Number(match[1]!.replace(/[^\d]/g, '')), text);
  const hint =
    !europeanNumbers && EUROPEAN_THOUSANDS.test(text)
      ? ' (if the file writes thousands as 1.200, set the European number format)'
      : '';
  throw new ValueError(`expected a whole number of seats, 0 or more, got ${quoted(text)}${hint}`);
}

function withinSeats(seats: number, written: unknown): number {
  if (seats > SEATS_PER_LINE)
    throw new ValueError(`more than the ${SEATS_PER_LINE} seats one line may have, got ${quoted(written)}`);
  return seats;
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'enabled', 'on', 'active']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'disabled', 'off', 'inactive']);

export function parseBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim();
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ValueError(`expected yes or no (true/false, enabled/disabled, on/off), got ${quoted(text)}`);
}

const ISO_SHAPE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const SEPARATED =
  /^(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)?$/;

function calendarDate(year: string, month: string, day: string, text: string): IsoDate {
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (isIsoDate(iso)) return iso;
  const m = Number(month);
  if (m < 1 || m > 12) throw new ValueError(`date ${quoted(text)} has no month ${m}`);
  throw new ValueError(`no such day: ${quoted(text)}${text.startsWith(iso) ? '' : ` (${iso})`}`);
}

/**
 * ISO 8601 dates and timestamps (a timestamp counts as the date it names), and day/month forms with or without a
 * time part (3/1/2026 12:00:00 AM) read in the file's one order.
 */
export function parseDate(value: unknown, reading: ValueReading = new ValueReading()): IsoDate {
  const text = String(value).trim();
  if (isIsoDate(text)) return text;
  const iso = ISO_SHAPE.exec(text);
  if (iso) return calendarDate(iso[1]!, iso[2]!, iso[3]!, text);
  const separated = SEPARATED.exec(text);
  if (!separated) throw new ValueError(`expected a date (YYYY-MM-DD), got ${quoted(text)}`);
  const [, a, , b, c] = separated as unknown as [string, string, string, string, string];
  if (a.length === 4) return calendarDate(a, b, c, text);
  if (c.length !== 4) throw new ValueError(`date ${quoted(text)} needs a four-digit year`);
  const first = Number(a);
  const second = Number(b);
  const shows = first > 12 && second <= 12 ? 'dmy' : second > 12 && first <= 12 ? 'mdy' : null;
  if (reading.order === null) {
    if (shows === null) {
      if (first > 12) throw new ValueError(`date ${quoted(text)} has no month`);
      throw new AmbiguousDateError(
        `date ${quoted(text)} is ambiguous (day/month or month/day?) and no date in the file settles it: use YYYY-MM-DD or set a date format such as DD/MM/YYYY`,
      );
    }
    reading.order = shows;
    reading.settledBy = text;
  } else if (shows !== null && shows !== reading.order) {
    const said = reading.settledBy
      ? `the file's dates are ${reading.order === 'dmy' ? 'day' : 'month'} first (as ${quoted(reading.settledBy)} shows)`
      : `the date format is ${reading.dateFormat}`;
    throw new ValueError(`date ${quoted(text)} does not fit: ${said}`);
  }
  return reading.order === 'dmy' ? calendarDate(c, b, a, text) : calendarDate(c, a, b, text);
}

/** The same day a year earlier (29 February: the 28th). */
function yearBefore(date: IsoDate): IsoDate {
  const earlier = `${String(Number(date.slice(0, 4)) - 1).padStart(4, '0')}${date.slice(4)}`;
  return isIsoDate(earlier) ? earlier : `${earlier.slice(0, 8)}28`;
}

/**
 * Turns one record's raw values (strings from CSV, any JSON value from JSON), held at their SNAPSHOT_FIELDS
 * positions, into a validated row. The first problem in column order is reported, with the canonical column name.
 */
export function rowFromValues(values: readonly unknown[], reading: ValueReading): RowOutcome {
  const candidate: Record<string, unknown> = {};
  // An ambiguous date does not stop the row: a later date in it may settle the file's order.
  let ambiguous: RowOutcome | null = null;
  for (let i = 0; i < FIELD_RULES.length; i++) {
    const { field, column, required, nullable, kind } = FIELD_RULES[i]!;
    const raw = values[i];
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === null || value === '' || value === '-') {
      if (required && !(field === 'termStart' && reading.termStartFromEnd))
        return { ok: false, column, reason: 'missing value' };
      if (nullable) candidate[field] = null;
      continue;
    }
    try {
      if (kind === 'count') candidate[field] = parseCount(value, reading.europeanNumbers);
      else if (kind === 'date') candidate[field] = parseDate(value, reading);
      else if (kind === 'boolean') candidate[field] = parseBoolean(value);
      else if (typeof value === 'object') throw new ValueError('expected text, got a nested value');
      else if (kind === 'locale') candidate[field] = String(value).toLowerCase();
      else candidate[field] = String(value);
    } catch (error) {
      if (error instanceof AmbiguousDateError) {
        ambiguous ??= { ok: false, column, reason: error.message, ambiguousDate: true };
        continue;
      }
      if (error instanceof ValueError) return { ok: false, column, reason: error.message };
      throw error;
    }
  }
  if (ambiguous) return reading.order === null ? ambiguous : rowFromValues(values, reading);
  if (candidate.termStart === undefined && typeof candidate.termEnd === 'string')
    candidate.termStart = yearBefore(candidate.termEnd);
  else if (candidate.termStart === undefined)
    return { ok: false, column: 'term_start', reason: 'missing value' };
  if (passesRowSchema(candidate)) return { ok: true, row: candidate };
  const parsed = SnapshotRow.safeParse(candidate);
  if (parsed.success) return { ok: true, row: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path[0] as SnapshotField | undefined;
  const column = field ? CANONICAL_COLUMNS[field] : null;
  const shown = field !== undefined ? ` ${quoted(candidate[field])}` : '';
  const reason =
    issue.code === 'too_big'
      ? issue.message
      : field === 'adminEmail' || field === 'ownerEmail'
        ? `not a valid email address${shown}`
        : field === 'locale'
          ? `unsupported locale${shown} (use en, es, fr or de)`
          : field === 'timezone'
            ? `unknown IANA time zone${shown} (for example Europe/Berlin)`
            : issue.message;
  return { ok: false, column, reason };
}
