import { z } from 'zod';
import { isTimeZone, LOCALES } from '../locales';
import { FIELD_LIMITS, tooLong } from '../snapshot/limits';

// One customer of the contacts directory: who its licence admin is and who looks after it at the reseller. A
// second upload beside the licence exports, because most vendor exports name neither.

const upTo = (field: keyof typeof FIELD_LIMITS) =>
  [FIELD_LIMITS[field], tooLong(FIELD_LIMITS[field])] as const;
const text = (field: keyof typeof FIELD_LIMITS) =>
  z
    .string()
    .trim()
    .min(1)
    .max(...upTo(field));

export const ContactRow = z.object({
  customerId: text('customerId'),
  customerName: text('customerName').optional(),
  adminEmail: z
    .email()
    .max(...upTo('adminEmail'))
    .optional(),
  adminName: text('adminName').optional(),
  ownerEmail: z
    .email()
    .max(...upTo('ownerEmail'))
    .optional(),
  locale: z.enum(LOCALES).optional(),
  timezone: z.string().refine(isTimeZone, 'unknown IANA time zone').optional(),
});
export type ContactRow = z.infer<typeof ContactRow>;

/** The directory's columns as files and reports name them, keyed by field. */
export const CONTACT_COLUMNS = {
  customerId: 'customer_id',
  customerName: 'customer_name',
  adminEmail: 'admin_email',
  adminName: 'admin_name',
  ownerEmail: 'owner_email',
  locale: 'locale',
  timezone: 'timezone',
} as const satisfies Record<keyof ContactRow, string>;

export type ContactField = keyof typeof CONTACT_COLUMNS;
export const CONTACT_FIELDS = Object.keys(CONTACT_COLUMNS) as ContactField[];

/** The contact facts a licence row may carry itself; the row's own win over the directory's. */
export type RowContact = Partial<Omit<ContactRow, 'customerId'>>;

/**
 * A licence row's contact facts completed from the directory: each of the row's own columns wins when present,
 * the directory fills the others, and `defaultOwnerEmail` covers a customer nobody owns.
 */
export function joinContact<Row extends RowContact>(
  row: Row,
  directory: ContactRow | undefined,
  defaultOwnerEmail?: string,
): Row {
  const joined: Row = { ...row };
  if (directory) {
    for (const field of CONTACT_FIELDS) {
      if (field === 'customerId') continue;
      const value = directory[field];
      if (joined[field] === undefined && value !== undefined) (joined as RowContact)[field] = value as never;
    }
  }
  if (joined.ownerEmail === undefined && defaultOwnerEmail) joined.ownerEmail = defaultOwnerEmail;
  return joined;
}

/** What a customer still lacks after the join: no admin (no customer email), no owner (nobody to tell). */
export function contactGapsOf(contact: RowContact): ('admin_email' | 'owner_email')[] {
  const gaps: ('admin_email' | 'owner_email')[] = [];
  if (!contact.adminEmail) gaps.push('admin_email');
  if (!contact.ownerEmail) gaps.push('owner_email');
  return gaps;
}
