import type { DateFormat } from '../values';

/** A fixed value for one of our columns, where the export has no such column (e.g. the account owner). */
export interface ConstantColumn {
  value: string | number | boolean;
}

/**
 * How one vendor export is read: its header names for our columns, where JSON keeps the records, and how the rows
 * of one subscription combine. Presets are data; the reader applies them the same way for every vendor.
 */
export interface Preset {
  name: string;
  /** The export as the vendor names it. */
  title: string;
  /** Header names (as written in the export) that together recognise it; other exports do not have them all. */
  recognisedBy: readonly string[];
  /** Their header (dotted path for nested JSON) -> our column; or our column -> a constant. */
  columns: Readonly<Record<string, string | ConstantColumn>>;
  /** Where a JSON export keeps its records (`Value`, `items`, `content`). */
  recordsPath?: string;
  /** The export's day/month order, when its documentation states it. */
  dateFormat?: DateFormat;
  /** Rows of one subscription in one file (one per month or charge): the row with the latest value here is the line. */
  latestBy?: string;
  /** Our column filled from another of ours when the export has no such fact (e.g. assigned = purchased). */
  copies?: Readonly<Record<string, string>>;
  /** Several of their columns joined into one of ours (e.g. a feature and its licence model make a line). */
  joins?: Readonly<Record<string, readonly string[]>>;
  /** Annual terms whose export gives only the end (anniversary): the term starts a year before it. */
  termStartFromEnd?: boolean;
  /**
   * Our required columns a reseller supplies (mapping constants or added columns) because the export has none;
   * admin and owner come from the contacts directory.
   */
  needs: readonly string[];
}
