import { readFile } from 'node:fs/promises';
import { DATE_FORMATS, type DateFormat, SnapshotFileError } from '../lambdas/domain/snapshot/reader';
import { UsageError } from './command';

/** The reading options `validate` and `upload` share: --date-format and --mapping. */
export const SNAPSHOT_OPTIONS = {
  'date-format': { type: 'string' },
  mapping: { type: 'string' },
} as const;

export function dateFormatOption(value: string | undefined): DateFormat | undefined {
  if (value !== undefined && !(DATE_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--date-format must be one of ${DATE_FORMATS.join(', ')}`);
  }
  return value as DateFormat | undefined;
}

/** A mapping file: a JSON object of their header name -> our column name. */
export async function mappingOption(path: string | undefined): Promise<Record<string, string> | undefined> {
  if (!path) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SnapshotFileError(`mapping file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw new SnapshotFileError(`mapping file ${path}: expected a JSON object of header name -> column name`);
  }
  return parsed as Record<string, string>;
}
