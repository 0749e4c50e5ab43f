import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { validateSnapshotFile } from '../lambdas/domain/snapshot/customerLimit';
import { DATE_FORMATS, SnapshotFileError } from '../lambdas/domain/snapshot/reader';
import { type CliCommand, UsageError } from './command';
import { dateFormatOption, mappingOption, SNAPSHOT_OPTIONS } from './snapshotOptions';

const USAGE = `Usage: clm validate FILE [--json] [--date-format FORMAT] [--mapping FILE]

Checks a snapshot file (CSV, JSON array or NDJSON) without AWS.

Options:
  --json                 print one JSON object: {"file","rows","accepted","rejected":[{"line","column","reason"}],"error"?}
  --date-format FORMAT   read day/month dates: ${DATE_FORMATS.join(', ')}
  --mapping FILE         a JSON object mapping your header names to ours, e.g. {"Seats Owned": "licenses_purchased"}
  -h, --help             show this help

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
        ...SNAPSHOT_OPTIONS,
      },
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UsageError('give exactly one FILE');
    const dateFormat = dateFormatOption(values['date-format']);

    const report: ValidateReport = { file, rows: 0, accepted: 0, rejected: [] };
    let code: number;
    try {
      const columnMapping = await mappingOption(values.mapping);
      const uploadDate = (await stat(file)).mtime.toISOString().slice(0, 10);
      const summary = await validateSnapshotFile(createReadStream(file), {
        fileName: basename(file),
        ...(dateFormat ? { dateFormat } : {}),
        ...(columnMapping ? { columnMapping } : {}),
        uploadDate,
      });
      report.rows = summary.rows;
      report.accepted = summary.accepted;
      report.rejected = summary.rejected;
      code = summary.rejected.length > 0 ? 1 : 0;
    } catch (error) {
      report.error = describe(error);
      code = 2;
    }

    if (values.json) {
      io.out(JSON.stringify(report));
      return code;
    }
    if (report.error) {
      io.err(`${file}: ${report.error}`);
      return code;
    }
    for (const r of report.rejected) io.err(`${file}:${r.line}:${r.column ?? '-'} ${r.reason}`);
    io.out(
      `${file}: ${report.rows} rows, ${report.accepted} accepted, ${report.rejected.length} rejected${
        report.rows - report.accepted - report.rejected.length > 0
          ? `, ${report.rows - report.accepted - report.rejected.length} identical duplicates collapsed`
          : ''
      }`,
    );
    return code;
  },
};

function describe(error: unknown): string {
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
