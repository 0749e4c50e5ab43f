import { z } from 'zod';
import { PRESET_NAMES } from './presets';
import { CANONICAL_COLUMNS } from './snapshotRow';
import { DATE_FORMATS } from './values';

// How a reseller's files are read: one setting set, checked by one schema, whichever door it comes through
// (`clm validate`/`clm simulate` options, `npm start` with one's own snapshots, the stack's `-c` context keys).

const OUR_COLUMNS = Object.values(CANONICAL_COLUMNS) as string[];
const normalise = (name: string) => name.toLowerCase().replace(/[\s_\-.]+/g, '');
const isOurColumn = (name: string) => OUR_COLUMNS.some((column) => normalise(column) === normalise(name));

const Constant = z.object({ value: z.union([z.string(), z.number(), z.boolean()]) }).strict();

/** Their header (or dotted JSON path) -> our column, or our column -> {"value": constant}. */
export const ColumnMapping = z
  .record(z.string().min(1), z.union([z.string().min(1), Constant]))
  .superRefine((mapping, context) => {
    for (const [key, target] of Object.entries(mapping)) {
      const ours = typeof target === 'string' ? target : key;
      if (!isOurColumn(ours)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message:
            typeof target === 'string'
              ? `"${key}" -> "${target}": "${target}" is not one of our columns (${OUR_COLUMNS.join(', ')})`
              : `"${key}": a constant must be keyed by one of our columns (${OUR_COLUMNS.join(', ')})`,
        });
      }
    }
  });
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const ReadingSettings = z
  .object({
    /** A vendor export's preset, when the header row alone does not tell it. */
    preset: z.enum(PRESET_NAMES as [string, ...string[]]).optional(),
    columnMapping: ColumnMapping.optional(),
    /** The day/month order of dates such as 03/04/2026. */
    dateFormat: z.enum(DATE_FORMATS).optional(),
    /** Where a JSON file keeps its records, as a dotted path (`Value`, `data.items`). */
    recordsPath: z.string().min(1).optional(),
    /** Thousands written 1.200 and decimals 10,0 (also implied by the date format DD.MM.YYYY). */
    europeanNumbers: z.boolean().optional(),
  })
  .strict();
export type ReadingSettings = z.infer<typeof ReadingSettings>;

/** The reading settings cannot be used; the message names the setting and what is allowed. */
export class ReadingSettingsError extends Error {
  override name = 'ReadingSettingsError';
}

const NAMES: Record<string, string> = {
  preset: 'preset',
  columnMapping: 'column mapping',
  dateFormat: 'date format',
  recordsPath: 'records path',
  europeanNumbers: 'European numbers',
};

/** Checks reading settings from any door; `source` says where they came from (a file, `-c` keys, options). */
export function parseReadingSettings(input: unknown, source: string): ReadingSettings {
  const parsed = ReadingSettings.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const [setting, ...rest] = issue.path.map(String);
    const name = setting ? (NAMES[setting] ?? `"${setting}"`) : 'settings';
    if (issue.code === 'unrecognized_keys')
      return `unknown setting ${issue.keys.join(', ')} (use ${Object.keys(NAMES).join(', ')})`;
    if (setting === 'preset') return `preset: use one of ${PRESET_NAMES.join(', ')}`;
    if (setting === 'dateFormat') return `date format: use one of ${DATE_FORMATS.join(', ')}`;
    if (setting === 'columnMapping' && issue.code === 'custom') return `column mapping ${issue.message}`;
    if (setting === 'columnMapping')
      return `column mapping${rest.length ? ` "${rest[0]}"` : ''}: expected {"their header": "our_column"} or {"our_column": {"value": "…"}}`;
    return `${name}: ${issue.message}`;
  });
  throw new ReadingSettingsError(`${source}: ${lines.join('; ')}`);
}
