import { parse } from 'csv-parse/sync';
import { normalizeHeader } from '../snapshot/columns';
import { SnapshotFileError } from '../snapshot/errors';
import { quoted } from '../snapshot/limits';
import type { RowRejection } from '../snapshot/reader';
import { CONTACT_COLUMNS, CONTACT_FIELDS, type ContactField, ContactRow } from './contactRow';

// Reads a contacts directory file with the snapshot reader's rules: CSV (comma or semicolon), a JSON array or
// NDJSON; UTF-8 with or without BOM; headers matched ignoring case, spaces, underscores and hyphens; a bad row
// rejected with its line, column and reason while every good row is kept; a file of no use rejected whole.

/** A directory holds one small row per customer: 20 MB is some 100,000 customers. */
export const CONTACTS_FILE_BYTES = 20 * 1024 * 1024;

export interface ContactsRead {
  /** One contact per customer id, with the line it came from. */
  contacts: Map<string, { line: number; contact: ContactRow }>;
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: RowRejection[];
}

const FIELD_BY_HEADER = new Map<string, ContactField>(
  CONTACT_FIELDS.map((field) => [normalizeHeader(CONTACT_COLUMNS[field]), field]),
);

type RawRow = { line: number; values: Record<string, unknown> } | { line: number; reason: string };

export async function readContacts(
  input: AsyncIterable<Uint8Array | string>,
  fileName: string,
): Promise<ContactsRead> {
  const text = await textOf(input);
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  const name = fileName.toLowerCase();
  const raw =
    name.endsWith('.ndjson') || name.endsWith('.jsonl') || (!name.endsWith('.json') && first === '{')
      ? ndjsonRows(body)
      : name.endsWith('.json') || first === '['
        ? jsonRows(body)
        : csvRows(body);
  return collect(raw);
}

async function textOf(input: AsyncIterable<Uint8Array | string>): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of input) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    bytes += part.length;
    if (bytes > CONTACTS_FILE_BYTES)
      throw new SnapshotFileError(
        `the contacts file is larger than ${CONTACTS_FILE_BYTES / 1024 / 1024} MB: split it or remove unused columns`,
      );
    parts.push(part);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts));
    if (text.trim() === '') throw new SnapshotFileError('the contacts file is empty');
    return text;
  } catch (error) {
    if (error instanceof SnapshotFileError) throw error;
    throw new SnapshotFileError(
      'the contacts file is not UTF-8 text: save it as UTF-8 (CSV UTF-8 in Excel)',
      {
        cause: error,
      },
    );
  }
}

/** Records keyed by our field names; columns of no use to the directory are left out. */
function fieldsOf(headers: readonly string[]): (ContactField | null)[] {
  const fields = headers.map((header) => FIELD_BY_HEADER.get(normalizeHeader(header)) ?? null);
  if (!fields.includes('customerId'))
    throw new SnapshotFileError(
      `the contacts file has no customer_id column (its columns: ${CONTACT_FIELDS.map((f) => CONTACT_COLUMNS[f]).join(', ')})`,
      { line: 1, column: 'customer_id' },
    );
  return fields;
}

function csvRows(body: string): RawRow[] {
  const headerLine = body.slice(0, body.indexOf('\n') === -1 ? undefined : body.indexOf('\n'));
  const delimiter = (headerLine.match(/;/g)?.length ?? 0) > (headerLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const data = Buffer.from(body);
  let records: { record: string[]; raw: string; info: { bytes: number } }[];
  try {
    records = parse(data, {
      delimiter,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new SnapshotFileError(
      `the contacts file is not a readable CSV table: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  // csv-parse's own line count is off for CRLF inside quotes: count newline bytes up to each record's start.
  let cursor = 0;
  let line = 1;
  const lineOf = (end: number, raw: string) => {
    let start = end - Buffer.byteLength(raw) - (data[end - 1] === NEWLINE && !raw.endsWith('\n') ? 1 : 0);
    while (data[start] === NEWLINE || data[start] === RETURN) start++;
    for (; cursor < start; cursor++) if (data[cursor] === NEWLINE) line++;
    return line;
  };
  const [header, ...rest] = records;
  if (!header) throw new SnapshotFileError('the contacts file is empty');
  lineOf(header.info.bytes, header.raw);
  const fields = fieldsOf(header.record);
  return rest.map(({ record, raw, info }) => {
    const values: Record<string, unknown> = {};
    record.forEach((value, i) => {
      const field = fields[i];
      if (field) values[field] = value;
    });
    return { line: lineOf(info.bytes, raw), values };
  });
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;

function objectRow(line: number, value: unknown, fields: Map<string, ContactField | null>): RawRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { line, reason: 'expected an object with the contact columns' };
  const values: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    let field = fields.get(key);
    if (field === undefined) {
      field = FIELD_BY_HEADER.get(normalizeHeader(key)) ?? null;
      fields.set(key, field);
    }
    if (field) values[field] = v;
  }
  return { line, values };
}

function jsonRows(body: string): RawRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new SnapshotFileError(`the contacts file is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(parsed))
    throw new SnapshotFileError('the contacts file is JSON but not an array of rows');
  const fields = new Map<string, ContactField | null>();
  return parsed.map((value, i) => objectRow(i + 1, value, fields));
}

function ndjsonRows(body: string): RawRow[] {
  const fields = new Map<string, ContactField | null>();
  const rows: RawRow[] = [];
  body.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      rows.push(objectRow(i + 1, JSON.parse(text), fields));
    } catch {
      rows.push({ line: i + 1, reason: 'not a JSON object' });
    }
  });
  return rows;
}

/** An empty cell means "not given", as in licence exports. */
function present(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value.trim() : String(value);
    if (text !== '') out[field] = text;
  }
  return out;
}

/** Validates every row; a customer named twice with different contacts is rejected on both lines. */
function collect(raw: RawRow[]): ContactsRead {
  const read: ContactsRead = {
    contacts: new Map(),
    rows: raw.length,
    accepted: 0,
    duplicates: 0,
    rejected: [],
  };
  const conflicting = new Set<string>();
  for (const row of raw) {
    if ('reason' in row) {
      read.rejected.push({ line: row.line, column: null, reason: row.reason });
      continue;
    }
    const parsed = ContactRow.safeParse(present(row.values));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path[0] as ContactField | undefined;
      const shown = field ? ` ${quoted(row.values[field])}` : '';
      const reason =
        issue.code === 'invalid_type' && row.values[field ?? ''] === undefined
          ? 'missing value'
          : issue.code === 'too_big'
            ? issue.message
            : field === 'adminEmail' || field === 'ownerEmail'
              ? `not a valid email address${shown}`
              : field === 'locale'
                ? `unsupported locale${shown} (use en, es, fr or de)`
                : field === 'timezone'
                  ? `unknown IANA time zone${shown} (for example Europe/Berlin)`
                  : issue.message;
      read.rejected.push({ line: row.line, column: field ? CONTACT_COLUMNS[field] : null, reason });
      continue;
    }
    const contact = parsed.data;
    const earlier = read.contacts.get(contact.customerId);
    if (conflicting.has(contact.customerId)) {
      read.rejected.push(conflictAt(row.line, contact.customerId, null));
    } else if (!earlier) {
      read.contacts.set(contact.customerId, { line: row.line, contact });
    } else if (JSON.stringify(earlier.contact) === JSON.stringify(contact)) {
      read.duplicates++;
    } else {
      read.contacts.delete(contact.customerId);
      conflicting.add(contact.customerId);
      read.rejected.push(conflictAt(earlier.line, contact.customerId, row.line));
      read.rejected.push(conflictAt(row.line, contact.customerId, earlier.line));
    }
  }
  read.rejected.sort((a, b) => a.line - b.line);
  read.accepted = read.contacts.size;
  return read;
}

function conflictAt(line: number, customerId: string, other: number | null): RowRejection {
  return {
    line,
    column: 'customer_id',
    reason: `customer_id ${quoted(customerId)} is listed more than once with different contacts${other ? ` (also line ${other})` : ''}: each customer needs one row`,
  };
}
