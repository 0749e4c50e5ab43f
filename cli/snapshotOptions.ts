import { readFile } from 'node:fs/promises';
import { PRESET_NAMES } from '../lambdas/domain/snapshot/presets';
import { DATE_FORMATS } from '../lambdas/domain/snapshot/reader';
import {
  parseReadingSettings,
  type ReadingSettings,
  ReadingSettingsError,
} from '../lambdas/domain/snapshot/readingSettings';

/** The reading options `validate`, `simulate` and `upload` share: one setting set, as the stack reads it. */
export const READING_OPTIONS = {
  preset: { type: 'string' },
  mapping: { type: 'string' },
  'date-format': { type: 'string' },
  'records-path': { type: 'string' },
  'european-numbers': { type: 'boolean' },
} as const;

export const READING_USAGE = `Reading options (the same settings the deployed stack takes as -c context keys):
  --preset NAME          read a vendor export as it comes (-c exportFormat=NAME); usually recognised from
                         the header row. One of: ${PRESET_NAMES.join(', ')}
  --mapping FILE         JSON: your header (or dotted JSON path) -> our column, e.g. {"Seats Owned":
                         "licenses_purchased"}, or our column -> a constant, e.g. {"owner_email": {"value":
                         "dana@reseller.example"}} (-c columnMapping=FILE)
  --date-format FORMAT   day/month order of dates: ${DATE_FORMATS.join(', ')} (-c dateFormat=FORMAT)
  --records-path PATH    where a JSON file keeps its records, e.g. Value or data.items (-c recordsPath=PATH)
  --european-numbers     seat counts written 1.200 and 10,0 (-c europeanNumbers=true)`;

export interface ReadingOptionValues {
  preset?: string | undefined;
  mapping?: string | undefined;
  'date-format'?: string | undefined;
  'records-path'?: string | undefined;
  'european-numbers'?: boolean | undefined;
}

/** The reading settings the options give, checked by the one schema every door uses. */
export async function readingSettingsOf(values: ReadingOptionValues): Promise<ReadingSettings> {
  let columnMapping: unknown;
  if (values.mapping) {
    try {
      columnMapping = JSON.parse(await readFile(values.mapping, 'utf8'));
    } catch (error) {
      throw new ReadingSettingsError(`mapping file ${values.mapping}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return parseReadingSettings(
    {
      ...(values.preset !== undefined ? { preset: values.preset } : {}),
      ...(columnMapping !== undefined ? { columnMapping } : {}),
      ...(values['date-format'] !== undefined ? { dateFormat: values['date-format'] } : {}),
      ...(values['records-path'] !== undefined ? { recordsPath: values['records-path'] } : {}),
      ...(values['european-numbers'] ? { europeanNumbers: true } : {}),
    },
    values.mapping ? `reading settings (mapping ${values.mapping})` : 'reading settings',
  );
}
