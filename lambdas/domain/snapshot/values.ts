import { type IsoDate, isIsoDate } from '../dates';
import { quoted, SEATS_PER_LINE } from './limits';
import {
  CANONICAL_COLUMNS,
  REQUIRED_FIELDS,
  SNAPSHOT_FIELDS,
  type SnapshotField,
  SnapshotRow,
} from './snapshotRow';

export const DATE_FORMATS = ['DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type RowOutcome =
  | { ok: true; row: SnapshotRow }
  | { ok: false; column: string | null; reason: string };

class ValueError extends Error {
  override name = 'ValueError';
}

type ValueKind = 'count' | 'date' | 'text' | 'locale';

const KIND: Partial<Record<SnapshotField, ValueKind>> = {
  licensesPurchased: 'count',
  licensesAssigned: 'count',
  activeUsers: 'count',
  termStart: 'date',
  termEnd: 'date',
  snapshotDate: 'date',
  locale: 'locale',
};

/** What is checked for each field, in column order: decided once, not per row. */
const FIELD_RULES = SNAPSHOT_FIELDS.map((field) => ({
  field,
  column: CANONICAL_COLUMNS[field],
  required: REQUIRED_FIELDS.includes(field),
  kind: KIND[field] ?? 'text',
}));

function parseCount(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return withinSeats(value, value);
    throw new ValueError(`expected a whole number of seats, 0 or more, got ${value}`);
  }
  const text = String(value).trim();
  if (!/^\d+$/.test(text))
    throw new ValueError(`expected a whole number of seats, 0 or more, got ${quoted(text)}`);
  return withinSeats(Number(text), text);
}

function withinSeats(seats: number, written: unknown): number {
  if (seats > SEATS_PER_LINE)
    throw new ValueError(`more than the ${SEATS_PER_LINE} seats one line may have, got ${quoted(written)}`);
  return seats;
}

const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const SEPARATED = /^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})$/;

/** ISO 8601 dates and timestamps (a timestamp counts as the date it names); other forms only with a format. */
export function parseDate(value: unknown, format?: DateFormat): IsoDate {
  const text = String(value).trim();
  if (isIsoDate(text)) return text;
  const timestamp = ISO_TIMESTAMP.exec(text);
  if (timestamp && isIsoDate(timestamp[1]!)) return timestamp[1]!;
  const separated = SEPARATED.exec(text);
  if (separated) {
    if (!format) {
      throw new ValueError(
        `date ${quoted(text)} is ambiguous (day/month or month/day?): use YYYY-MM-DD or set a date format such as DD/MM/YYYY`,
      );
    }
    const [, a, b, c] = separated as unknown as [string, string, string, string];
    const pad = (n: string) => n.padStart(2, '0');
    const iso =
      format === 'YYYY/MM/DD'
        ? `${a}-${pad(b)}-${pad(c)}`
        : format === 'MM/DD/YYYY'
          ? `${c}-${pad(a)}-${pad(b)}`
          : `${c}-${pad(b)}-${pad(a)}`;
    if (isIsoDate(iso) && (format === 'YYYY/MM/DD' ? a.length === 4 : c.length === 4)) return iso;
    throw new ValueError(`date ${quoted(text)} does not match the date format ${format}`);
  }
  throw new ValueError(`expected a date (YYYY-MM-DD), got ${quoted(text)}`);
}

/**
 * Turns one record's raw values (strings from CSV, any JSON value from JSON), held at their SNAPSHOT_FIELDS
 * positions, into a validated row. The first problem in column order is reported, with the canonical column name.
 */
export function rowFromValues(values: readonly unknown[], dateFormat?: DateFormat): RowOutcome {
  const candidate: Record<string, unknown> = {};
  for (let i = 0; i < FIELD_RULES.length; i++) {
    const { field, column, required, kind } = FIELD_RULES[i]!;
    const raw = values[i];
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === null || value === '') {
      if (required) return { ok: false, column, reason: 'missing value' };
      continue;
    }
    try {
      if (kind === 'count') candidate[field] = parseCount(value);
      else if (kind === 'date') candidate[field] = parseDate(value, dateFormat);
      else if (typeof value === 'object') throw new ValueError('expected text, got a nested value');
      else if (kind === 'locale') candidate[field] = String(value).toLowerCase();
      else candidate[field] = String(value);
    } catch (error) {
      if (error instanceof ValueError) return { ok: false, column, reason: error.message };
      throw error;
    }
  }
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
