import { SnapshotFileError } from './errors';
import { CANONICAL_COLUMNS, REQUIRED_FIELDS, SNAPSHOT_FIELDS, type SnapshotField } from './snapshotRow';

/** Header names match ignoring case, spaces, underscores and hyphens (and dots, common in exports). */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');
}

// Names vendor exports and reports use for our columns, in normalised form. Microsoft Partner Center,
// Adobe Admin Console / VIP Marketplace reports and Dassault reseller reports cover most of them.
const ALIASES: Record<SnapshotField, string[]> = {
  customerId: [
    'customerid',
    'tenantid',
    'customertenantid',
    'accountid',
    'customernumber',
    'vipid',
    'siteid',
  ],
  customerName: ['customername', 'companyname', 'customer', 'organization', 'organisation', 'accountname'],
  adminEmail: ['adminemail', 'licenseadminemail', 'licenceadminemail', 'adminmail', 'primarycontactemail'],
  adminName: ['adminname', 'licenseadminname', 'licenceadminname', 'primarycontactname', 'contactname'],
  ownerEmail: ['owneremail', 'accountowneremail', 'accountowner', 'salesrepemail', 'accountmanageremail'],
  product: ['product', 'productname', 'sku', 'skuname', 'offername', 'offer'],
  licensesPurchased: [
    'licensespurchased',
    'licensessold',
    'licenses',
    'licences',
    'licencespurchased',
    'purchasedseats',
    'seatspurchased',
    'quantity',
    'totallicenses',
    'entitledseats',
  ],
  licensesAssigned: [
    'licensesassigned',
    'licencesassigned',
    'licensesdeployed',
    'assignedseats',
    'seatsassigned',
    'assignedlicenses',
    'deployedseats',
  ],
  activeUsers: ['activeusers', 'licensesactive', 'activeseats', 'activelicenses', 'activeusers28days'],
  termStart: ['termstart', 'termstartdate', 'startdate', 'subscriptionstartdate', 'contractstartdate'],
  termEnd: [
    'termend',
    'termenddate',
    'enddate',
    'anniversarydate',
    'renewaldate',
    'subscriptionenddate',
    'expirationdate',
  ],
  locale: ['locale', 'language', 'lang'],
  timezone: ['timezone', 'tz', 'timezonename'],
  snapshotDate: ['snapshotdate', 'reportdate', 'exportdate', 'asofdate', 'asof'],
};

const FIELD_BY_ALIAS = new Map<string, SnapshotField>(
  (Object.entries(ALIASES) as [SnapshotField, string[]][]).flatMap(([field, names]) =>
    names.map((name) => [name, field] as const),
  ),
);

const FIELD_BY_CANONICAL = new Map<string, SnapshotField>(
  (Object.entries(CANONICAL_COLUMNS) as [SnapshotField, string][]).map(([field, column]) => [
    normalizeHeader(column),
    field,
  ]),
);

export interface ColumnLayout {
  /** For each position in the file's header, the position in SNAPSHOT_FIELDS of the field it feeds (-1: unused). */
  slots: number[];
}

/** Maps header names to our fields: the user's mapping first, then canonical names, then vendor aliases. */
export class ColumnResolver {
  private readonly userFields = new Map<string, SnapshotField>();

  constructor(userMapping: Record<string, string> = {}) {
    for (const [theirs, ours] of Object.entries(userMapping)) {
      const field = FIELD_BY_CANONICAL.get(normalizeHeader(ours));
      if (!field) {
        throw new SnapshotFileError(
          `column mapping "${theirs}" -> "${ours}": "${ours}" is not one of our columns (${Object.values(CANONICAL_COLUMNS).join(', ')})`,
        );
      }
      this.userFields.set(normalizeHeader(theirs), field);
    }
  }

  fieldFor(header: string): SnapshotField | null {
    const key = normalizeHeader(header);
    return this.userFields.get(key) ?? FIELD_BY_CANONICAL.get(key) ?? FIELD_BY_ALIAS.get(key) ?? null;
  }

  /** A file without every required column is unusable: the error names all missing columns at once. */
  layout(headers: readonly string[]): ColumnLayout {
    const taken = new Set<SnapshotField>();
    const fields = headers.map((header) => {
      const field = this.fieldFor(header);
      // The first column wins when two headers mean the same thing (e.g. "Licenses" and "licenses_purchased").
      if (field === null || taken.has(field)) return null;
      taken.add(field);
      return field;
    });
    const missing = REQUIRED_FIELDS.filter((field) => !taken.has(field));
    if (missing.length > 0) {
      const list = missing
        .map((f) => `${CANONICAL_COLUMNS[f]} (also accepted: ${ALIASES[f].slice(1, 4).join(', ')})`)
        .join('; ');
      throw new SnapshotFileError(
        `missing required column${missing.length > 1 ? 's' : ''}: ${list}. Rename the header or add a column mapping.`,
        { line: 1, column: CANONICAL_COLUMNS[missing[0]!] },
      );
    }
    return { slots: fields.map((field) => (field ? SNAPSHOT_FIELDS.indexOf(field) : -1)) };
  }
}
