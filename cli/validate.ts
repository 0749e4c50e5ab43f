import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { validateSnapshotFile } from '../lambdas/domain/snapshot/customerLimit';
import { SnapshotFileError } from '../lambdas/domain/snapshot/reader';
import { ReadingSettingsError } from '../lambdas/domain/snapshot/readingSettings';
import { type CliCommand, UsageError } from './command';
import { READING_OPTIONS, READING_USAGE, readingSettingsOf } from './snapshotOptions';

const USAGE = `Usage: clm validate FILE [--json] [reading options]

Checks a snapshot file (CSV or tab-separated text, JSON or NDJSON; UTF-8, UTF-16 or Windows-1252) without AWS.

Options:
  --json                 print one JSON object: {"file","rows","accepted","rejected":[{"line","column","reason"}],"error"?}
  -h, --help             show this help

${READING_USAGE}

Exit codes: 0 every row is valid, 1 some rows are rejected, 2 the file cannot be used.`;

interface ValidateReport {
  file: string;
  rows: number;
  accepted: number;
  rejected: { line: number; column: string | null; reason: string }[];
  error?: string;
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
    const collapsed = report.rows - report.accepted - report.rejected.length - combined;
    io.out(
      `${file}: ${report.rows} rows, ${report.accepted} accepted, ${report.rejected.length} rejected${
        collapsed > 0 ? `, ${collapsed} identical duplicates collapsed` : ''
      }`,
    );
    return code;
  },
};

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
