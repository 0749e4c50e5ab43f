import { z } from 'zod';
import { isIsoDate } from '../dates';
import { isTimeZone, LOCALES } from '../locales';
import { FIELD_LIMITS, tooLong } from './limits';

// One subscription line (one product) of one customer as of the snapshot date, after the reader has
// mapped headers and parsed values. Field names are the canonical columns in camelCase.
const isoDate = z.string().refine(isIsoDate, 'expected a calendar date YYYY-MM-DD');
const count = z.number().int().nonnegative();
/** A text column's limit (limits.ts), and the reason quoting the start of a longer value. */
const upTo = (field: keyof typeof FIELD_LIMITS) =>
  [FIELD_LIMITS[field], tooLong(FIELD_LIMITS[field])] as const;

export const SnapshotRow = z
  .object({
    customerId: z
      .string()
      .trim()
      .min(1)
      .max(...upTo('customerId')),
    customerName: z
      .string()
      .trim()
      .min(1)
      .max(...upTo('customerName')),
    /** Absent: the contacts directory (or nobody) names the admin; see joinContact. */
    adminEmail: z
      .email()
      .max(...upTo('adminEmail'))
      .optional(),
    adminName: z
      .string()
      .trim()
      .min(1)
      .max(...upTo('adminName'))
      .optional(),
    /** Absent: the contacts directory or `defaultOwnerEmail` names the owner. */
    ownerEmail: z
      .email()
      .max(...upTo('ownerEmail'))
      .optional(),
    product: z
      .string()
      .trim()
      .min(1)
      .max(...upTo('product')),
    licensesPurchased: count,
    licensesAssigned: count,
    /** null: the export has no activity figure for this line (unknown, not zero). */
    activeUsers: count.nullable(),
    termStart: isoDate,
    /** null: a monthly or rolling line with no renewal date. */
    termEnd: isoDate.nullable(),
    /** Identifies the line when present: two subscriptions of one product are two lines. */
    subscriptionId: z.string().trim().min(1).optional(),
    /** The term renews by itself. */
    autoRenew: z.boolean().optional(),
    /** What customers read when `product` is a code. */
    productName: z.string().trim().min(1).optional(),
    locale: z.enum(LOCALES).optional(),
    timezone: z.string().refine(isTimeZone, 'unknown IANA time zone').optional(),
    snapshotDate: isoDate.optional(),
  })
  .refine((row) => row.termEnd === null || row.termEnd > row.termStart, {
    path: ['termEnd'],
    message: 'term_end must be after term_start',
  });

export type SnapshotRow = z.infer<typeof SnapshotRow>;

/** Canonical column names as they appear in files and error reports, keyed by field. */
export const CANONICAL_COLUMNS = {
  customerId: 'customer_id',
  customerName: 'customer_name',
  adminEmail: 'admin_email',
  adminName: 'admin_name',
  ownerEmail: 'owner_email',
  product: 'product',
  licensesPurchased: 'licenses_purchased',
  licensesAssigned: 'licenses_assigned',
  activeUsers: 'active_users',
  termStart: 'term_start',
  termEnd: 'term_end',
  subscriptionId: 'subscription_id',
  autoRenew: 'auto_renew',
  productName: 'product_name',
  locale: 'locale',
  timezone: 'timezone',
  snapshotDate: 'snapshot_date',
} as const satisfies Record<keyof SnapshotRow, string>;

export type SnapshotField = keyof typeof CANONICAL_COLUMNS;

/** Every field in column order; a record's raw values sit at these positions. */
export const SNAPSHOT_FIELDS = Object.keys(CANONICAL_COLUMNS) as SnapshotField[];

export const REQUIRED_FIELDS: readonly SnapshotField[] = [
  'customerId',
  'customerName',
  'product',
  'licensesPurchased',
  'licensesAssigned',
  'termStart',
];

/** Optional facts that are null, not absent, when the file leaves them out or empty. */
export const NULLABLE_FIELDS: readonly SnapshotField[] = ['activeUsers', 'termEnd'];

/** What identifies a line within a customer: its subscription when the file names one, else its product. */
export function lineKeyOf(line: Pick<SnapshotRow, 'product' | 'subscriptionId'>): string {
  return line.subscriptionId === undefined ? `p:${line.product}` : `s:${line.subscriptionId}`;
}

const EMAIL = z.regexes.email;
const LOCALE_SET = new Set<string>(LOCALES);
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const isText = (value: unknown, max: number) =>
  typeof value === 'string' && value.length > 0 && value.length <= max && value.trim() === value;
const isEmail = (value: unknown, max: number) =>
  typeof value === 'string' && value.length <= max && EMAIL.test(value);
const isDate = (value: unknown) => typeof value === 'string' && isIsoDate(value);

/**
 * The row schema's checks written out for the reader's hot path: true only for a candidate (keyed by the schema's own
 * fields, as the reader builds it) that SnapshotRow.parse would return unchanged. A candidate it refuses goes through the schema, which says why; a
 * test holds the two to the same answers. The schema costs a third of reading a large export; this, a tenth of it.
 */
export function passesRowSchema(row: Record<string, unknown>): row is SnapshotRow {
  const limits = FIELD_LIMITS;
  return (
    isText(row.customerId, limits.customerId) &&
    isText(row.customerName, limits.customerName) &&
    (row.adminEmail === undefined || isEmail(row.adminEmail, limits.adminEmail)) &&
    (row.adminName === undefined || isText(row.adminName, limits.adminName)) &&
    (row.ownerEmail === undefined || isEmail(row.ownerEmail, limits.ownerEmail)) &&
    isText(row.product, limits.product) &&
    isCount(row.licensesPurchased) &&
    isCount(row.licensesAssigned) &&
    (row.activeUsers === null || isCount(row.activeUsers)) &&
    isDate(row.termStart) &&
    (row.termEnd === null || (isDate(row.termEnd) && (row.termEnd as string) > (row.termStart as string))) &&
    (row.subscriptionId === undefined || isText(row.subscriptionId, Number.POSITIVE_INFINITY)) &&
    (row.autoRenew === undefined || typeof row.autoRenew === 'boolean') &&
    (row.productName === undefined || isText(row.productName, Number.POSITIVE_INFINITY)) &&
    (row.locale === undefined || LOCALE_SET.has(row.locale as string)) &&
    (row.timezone === undefined || (typeof row.timezone === 'string' && isTimeZone(row.timezone))) &&
    (row.snapshotDate === undefined || isDate(row.snapshotDate))
  );
}
