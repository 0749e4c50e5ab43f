import { SnapshotFileError } from './errors';
import { PRESET_NAMES, PRESETS, type Preset, presetNamed } from './presets';
import type { ColumnMapping, ReadingSettings } from './readingSettings';
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
  subscriptionId: ['subscriptionid', 'subscription', 'subscriptionnumber', 'entitlementid'],
  autoRenew: [
    'autorenew',
    'isautorenew',
    'autorenewal',
    'autorenewenabled',
    'autorenewalenabled',
    'autorenewalstatus',
  ],
  productName: ['productname', 'productdisplayname', 'reportingproductname', 'productdescription'],
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
  /** For each position in the file's header, the value slot it feeds (-1: unused). */
  slots: number[];
}

/** Value slots beyond SNAPSHOT_FIELDS: the column a preset's rows combine by, then the parts of joined columns. */
export const ORDER_SLOT = SNAPSHOT_FIELDS.length;
const FIRST_PART_SLOT = ORDER_SLOT + 1;

const slotOf = (field: SnapshotField) => SNAPSHOT_FIELDS.indexOf(field);

function fieldOfColumn(column: string): SnapshotField {
  const field = FIELD_BY_CANONICAL.get(normalizeHeader(column));
  if (!field) {
    throw new SnapshotFileError(
      `"${column}" is not one of our columns (${Object.values(CANONICAL_COLUMNS).join(', ')})`,
    );
  }
  return field;
}

/** What a file's rows need beyond the values of their own columns, decided once the header is known. */
export interface RowFill {
  /** [slot, value]: constants for columns the row leaves empty. */
  constants: [number, unknown][];
  /** [from slot, to slot]: our column copied from another where the row leaves it empty. */
  copies: [number, number][];
  /** [to slot, part slots]: several of their columns joined into one of ours. */
  joins: [number, number[]][];
}

/**
 * Maps header names to value slots: the user's mapping first, then the preset's (chosen by name or recognised from
 * the header row), then canonical names, then (without a preset) common vendor names.
 */
export class ColumnResolver {
  private preset: Preset | null;
  private readonly presetChosen: boolean;
  private readonly userMapping: ColumnMapping;
  private explicit = new Map<string, number>();
  readonly warnings: string[] = [];
  fill: RowFill = { constants: [], copies: [], joins: [] };
  slotCount = FIRST_PART_SLOT;

  private readonly chosenRecordsPath: string | undefined;

  constructor(settings: Pick<ReadingSettings, 'preset' | 'columnMapping' | 'recordsPath'> = {}) {
    this.userMapping = settings.columnMapping ?? {};
    this.chosenRecordsPath = settings.recordsPath;
    this.preset = settings.preset ? (presetNamed(settings.preset) ?? null) : null;
    if (settings.preset && !this.preset)
      throw new SnapshotFileError(`no preset named "${settings.preset}" (use ${PRESET_NAMES.join(', ')})`);
    this.presetChosen = this.preset !== null;
    for (const [theirs, ours] of Object.entries(this.userMapping))
      if (typeof ours === 'string') fieldOfColumn(ours);
      else fieldOfColumn(theirs);
    this.configure();
  }

  /** Where a JSON file keeps its records: the setting, else the chosen preset's (else the only array). */
  get recordsPath(): string | undefined {
    return this.chosenRecordsPath ?? this.preset?.recordsPath;
  }

  /** The preset the file is read with, once the header is known. */
  get activePreset(): Preset | null {
    return this.preset;
  }

  private configure(): void {
    const explicit = new Map<string, number>();
    const fill: RowFill = { constants: [], copies: [], joins: [] };
    const constants = new Map<number, unknown>();
    const mappings = [this.preset?.columns ?? {}, this.userMapping];
    for (const mapping of mappings) {
      for (const [key, target] of Object.entries(mapping)) {
        if (typeof target === 'string') explicit.set(normalizeHeader(key), slotOf(fieldOfColumn(target)));
        else constants.set(slotOf(fieldOfColumn(key)), target.value);
      }
    }
    fill.constants = [...constants];
    let slots = FIRST_PART_SLOT;
    if (this.preset?.latestBy) explicit.set(normalizeHeader(this.preset.latestBy), ORDER_SLOT);
    for (const [to, parts] of Object.entries(this.preset?.joins ?? {})) {
      // A part that already feeds one of our columns is read from there; a column feeds one slot only.
      const partSlots = parts.map((part) => {
        const mapped = explicit.get(normalizeHeader(part));
        if (mapped !== undefined) return mapped;
        const slot = slots++;
        explicit.set(normalizeHeader(part), slot);
        return slot;
      });
      fill.joins.push([slotOf(fieldOfColumn(to)), partSlots]);
    }
    for (const [to, from] of Object.entries(this.preset?.copies ?? {}))
      fill.copies.push([slotOf(fieldOfColumn(from)), slotOf(fieldOfColumn(to))]);
    this.explicit = explicit;
    this.fill = fill;
    this.slotCount = slots;
  }

  /** The value slot a header feeds, or -1. */
  slotFor(header: string): number {
    const key = normalizeHeader(header);
    const explicit = this.explicit.get(key);
    if (explicit !== undefined) return explicit;
    const field = FIELD_BY_CANONICAL.get(key) ?? (this.preset ? undefined : FIELD_BY_ALIAS.get(key));
    return field ? slotOf(field) : -1;
  }

  /**
   * Decides the preset (recognised from the header row when none was chosen) and the slot of every column. A file
   * without every required column is unusable: the error names all missing columns at once.
   */
  layout(headers: readonly string[]): ColumnLayout {
    const keys = headers.map(normalizeHeader);
    if (!this.presetChosen) {
      const present = new Set(keys);
      this.preset =
        PRESETS.find((preset) => preset.recognisedBy.every((name) => present.has(normalizeHeader(name)))) ??
        null;
      if (this.preset) this.configure();
    }
    const slots = keys.map((_, i) => this.slotFor(headers[i]!));
    // A column named twice is refused rather than read from one of the two at random.
    for (let i = 0; i < keys.length; i++) {
      const again = keys.indexOf(keys[i]!, i + 1);
      if (again >= 0 && slots[i]! >= 0) {
        throw new SnapshotFileError(
          `the header "${headers[again]!.trim()}" appears twice (columns ${i + 1} and ${again + 1}): rename or remove one`,
          { line: 1, column: headers[again]!.trim() },
        );
      }
    }
    // Where two different headers feed one column, the explicit mapping wins, then the first in the file.
    const explicitSlots = new Set(
      keys.flatMap((key) => (this.explicit.has(key) ? [this.explicit.get(key)!] : [])),
    );
    const taken = new Set<number>();
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot < 0) continue;
      if (taken.has(slot) || (explicitSlots.has(slot) && !this.explicit.has(keys[i]!))) slots[i] = -1;
      else taken.add(slot);
    }
    // Partner Center names its only product column productName: then it is the product.
    const productNameAt = slots.indexOf(slotOf('productName'));
    if (!taken.has(slotOf('product')) && productNameAt >= 0 && !this.explicit.has(keys[productNameAt]!)) {
      slots[productNameAt] = slotOf('product');
      taken.add(slotOf('product'));
    }
    for (const [slot] of this.fill.constants) taken.add(slot);
    for (const [, to] of this.fill.copies) taken.add(to);
    for (const [to] of this.fill.joins) taken.add(to);
    const startFromEnd = this.preset?.termStartFromEnd && taken.has(slotOf('termEnd'));
    const missing = REQUIRED_FIELDS.filter(
      (field) => !taken.has(slotOf(field)) && !(field === 'termStart' && startFromEnd),
    );
    if (missing.length > 0) {
      const list = this.preset
        ? missing.map((f) => CANONICAL_COLUMNS[f]).join(', ')
        : missing
            .map((f) => `${CANONICAL_COLUMNS[f]} (also accepted: ${ALIASES[f].slice(1, 4).join(', ')})`)
            .join('; ');
      const how = this.preset
        ? `The ${this.preset.title} has no such column: add it to the file or give a constant in the column mapping, e.g. {"${CANONICAL_COLUMNS[missing[0]!]}": {"value": "…"}}.`
        : 'Rename the header or add a column mapping.';
      throw new SnapshotFileError(
        `missing required column${missing.length > 1 ? 's' : ''}: ${list}. ${how}`,
        { line: 1, column: CANONICAL_COLUMNS[missing[0]!] },
      );
    }
    for (const [theirs, ours] of Object.entries(this.userMapping)) {
      if (typeof ours === 'string' && !keys.includes(normalizeHeader(theirs)))
        this.warnings.push(`the column mapping names "${theirs}", which is not a column of this file`);
    }
    return { slots };
  }
}
