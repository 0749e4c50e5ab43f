import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { type CustomerWithoutContact, customersWithoutContact } from '../lambdas/domain/contacts/joinCheck';
import { readContacts } from '../lambdas/domain/contacts/readContacts';
import { validateSnapshotFile } from '../lambdas/domain/snapshot/customerLimit';
import type { ReadOptions } from '../lambdas/domain/snapshot/reader';
import { SnapshotFileError } from '../lambdas/domain/snapshot/reader';
import { ReadingSettingsError } from '../lambdas/domain/snapshot/readingSettings';
import { type CliCommand, type CliIo, UsageError } from './command';
import { READING_OPTIONS, READING_USAGE, readingSettingsOf } from './snapshotOptions';

const USAGE = `Usage: clm validate FILE [--contacts CONTACTS] [--json] [reading options]

Checks a snapshot file (CSV or tab-separated text, JSON or NDJSON; UTF-8, UTF-16 or Windows-1252) without AWS.

Options:
  --json                 print one JSON object: {"file","rows","accepted","rejected":[{"line","column","reason"}],"error"?}
  --contacts CONTACTS    also check the contacts directory file and its join with FILE by customer_id: names the
                         customers left without an admin (no customer email; the owner is asked for one) or
                         an owner (ingestion needs defaultOwnerEmail for them); JSON adds "contacts"
  -h, --help             show this help

${READING_USAGE}

Exit codes: 0 every row is valid (and, with --contacts, every customer has a contact), 1 some rows are rejected
(or customers are left without a contact), 2 a file cannot be used.`;

interface ValidateReport {
  file: string;
  rows: number;
  accepted: number;
  rejected: { line: number; column: string | null; reason: string }[];
  error?: string;
  contacts?: ContactsCheck;
}

/** What --contacts adds: the contacts file's own rows, and the customers the join leaves without a contact. */
interface ContactsCheck {
  file: string;
  rows: number;
  accepted: number;
  rejected: { line: number; column: string | null; reason: string }[];
  error?: string;
  withoutContact: CustomerWithoutContact[];
}

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check a snapshot file without AWS (exit 0 valid, 1 rows rejected, 2 unusable)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        contacts: { type: 'string' },
        ...READING_OPTIONS,
      },
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UsageError('give exactly one FILE');

    const report: ValidateReport = { file, rows: 0, accepted: 0, rejected: [] };
    let code: number;
    let notes: string[] = [];
    let combined = 0;
    try {
      const reading = await readingSettingsOf(values);
      const uploadDate = (await stat(file)).mtime.toISOString().slice(0, 10);
      const summary = await validateSnapshotFile(createReadStream(file), {
        fileName: basename(file),
        ...reading,
        uploadDate,
      });
      report.rows = summary.rows;
      report.accepted = summary.accepted;
      report.rejected = summary.rejected;
      combined = summary.combined;
      notes = [
        ...(summary.preset ? [`read as ${summary.preset}`] : []),
        ...(summary.combined > 0
          ? [`${summary.combined} earlier rows of a subscription gave way to its latest row`]
          : []),
        ...summary.warnings.map((warning) => `warning: ${warning}`),
      ];
      code = summary.rejected.length > 0 ? 1 : 0;
      if (values.contacts) {
        report.contacts = await checkContacts(values.contacts, file, {
          fileName: basename(file),
          ...reading,
          uploadDate,
        });
        const { contacts } = report;
        code = Math.max(
          code,
          contacts.error ? 2 : contacts.rejected.length + contacts.withoutContact.length > 0 ? 1 : 0,
        );
      }
    } catch (error) {
      report.error = describe(error);
      code = 2;
    }

    // Notes go to stderr, so that --json prints exactly one object.
    for (const note of notes) io.err(`${file}: ${note}`);
    if (values.json) {
      io.out(JSON.stringify(report));
      return code;
    }
    if (report.error) {
      io.err(`${file}: ${report.error}`);
      return code;
    }
    for (const r of report.rejected) io.err(`${file}:${r.line}:${r.column ?? '-'} ${r.reason}`);
    if (report.contacts) printContacts(report.contacts, file, io);
    const collapsed = report.rows - report.accepted - report.rejected.length - combined;
    io.out(
      `${file}: ${report.rows} rows, ${report.accepted} accepted, ${report.rejected.length} rejected${
        collapsed > 0 ? `, ${collapsed} identical duplicates collapsed` : ''
      }`,
    );
    return code;
  },
};

/** Reads the contacts file and joins it with the licence file's customers, as ingestion will. */
async function checkContacts(
  contactsFile: string,
  file: string,
  options: ReadOptions,
): Promise<ContactsCheck> {
  const check: ContactsCheck = { file: contactsFile, rows: 0, accepted: 0, rejected: [], withoutContact: [] };
  try {
    const read = await readContacts(createReadStream(contactsFile), basename(contactsFile));
    Object.assign(check, { rows: read.rows, accepted: read.accepted, rejected: read.rejected });
    const directory = new Map([...read.contacts].map(([id, entry]) => [id, entry.contact]));
    check.withoutContact = await customersWithoutContact(createReadStream(file), options, directory);
  } catch (error) {
    check.error = describe(error);
  }
  return check;
}

function printContacts(check: ContactsCheck, file: string, io: CliIo): void {
  if (check.error) {
    io.err(`${check.file}: ${check.error}`);
    return;
  }
  for (const r of check.rejected) io.err(`${check.file}:${r.line}:${r.column ?? '-'} ${r.reason}`);
  for (const c of check.withoutContact) {
    const what = c.missing
      .map((column) =>
        column === 'admin_email'
          ? 'no admin_email (no customer email; its owner gets a fix-contact task)'
          : 'no owner_email (ingested only with defaultOwnerEmail set)',
      )
      .join(' and ');
    io.err(`${file}:${c.line}:customer_id customer "${c.customerId}" has ${what}`);
  }
  io.out(
    `${check.file}: ${check.rows} rows, ${check.accepted} customers, ${check.rejected.length} rejected; ${check.withoutContact.length} customers of ${file} left without a contact`,
  );
}

function describe(error: unknown): string {
  if (error instanceof ReadingSettingsError) return error.message;
  if (error instanceof SnapshotFileError) {
    return error.line !== null && !error.message.includes('line')
      ? `line ${error.line}: ${error.message}`
      : error.message;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'this is a folder, not a file';
  throw error;
}
