import { addDays, daysBetween, type IsoDate } from '../lambdas/domain/dates';
import type { Locale } from '../lambdas/domain/locales';
import type { SnapshotRow } from '../lambdas/domain/snapshot/snapshotRow';

// A deterministic, realistic sample portfolio for the local run and `clm simulate --customers`: customers of
// three vendors in four languages and several time zones, with the behaviours a reseller meets every year.

export type Behaviour =
  | 'steady' // deploys in the first weeks, uses most seats, renews on time
  | 'late-deployer' // assigns seats only after reminders
  | 'never-activates' // assigns seats, few people use them
  | 'dip-and-recover' // usage falls mid-term, then comes back
  | 'early-renewer' // renews a month before the anniversary
  | 'lapser' // lets the term expire
  | 'late-renewer' // lets it expire, then comes back a few weeks later
  | 'vanisher'; // drops out of the exports mid-term

interface Vendor {
  name: string;
  products: { name: string; seats: [number, number] }[];
}

const VENDORS: Vendor[] = [
  {
    name: 'Adobe',
    products: [
      { name: 'Creative Cloud All Apps', seats: [3, 40] },
      { name: 'Acrobat Pro', seats: [5, 60] },
      { name: 'Adobe Stock', seats: [1, 5] },
    ],
  },
  {
    name: 'Microsoft',
    products: [
      { name: 'Microsoft 365 Business Premium', seats: [5, 120] },
      { name: 'Teams Phone Standard', seats: [2, 30] },
      { name: 'Power BI Pro', seats: [1, 20] },
    ],
  },
  {
    name: 'Dassault',
    products: [
      { name: 'SOLIDWORKS Professional', seats: [1, 15] },
      { name: '3DEXPERIENCE Collaborative Industry Innovator', seats: [2, 25] },
    ],
  },
];

const MARKETS: { locale: Locale; timezone: string; suffix: string; first: string[]; last: string[] }[] = [
  {
    locale: 'en',
    timezone: 'America/New_York',
    suffix: 'Inc.',
    first: ['Ava', 'Noah', 'Mia'],
    last: ['Carter', 'Nguyen', 'Brooks'],
  },
  {
    locale: 'en',
    timezone: 'Europe/London',
    suffix: 'Ltd',
    first: ['Oliver', 'Amelia', 'Harry'],
    last: ['Hughes', 'Patel', 'Walsh'],
  },
  {
    locale: 'en',
    timezone: 'America/Los_Angeles',
    suffix: 'LLC',
    first: ['Liam', 'Zoe', 'Ethan'],
    last: ['Kim', 'Reyes', 'Foster'],
  },
  {
    locale: 'es',
    timezone: 'Europe/Madrid',
    suffix: 'S.L.',
    first: ['Lucía', 'Javier', 'Carmen'],
    last: ['García', 'Muñoz', 'Ortega'],
  },
  {
    locale: 'es',
    timezone: 'America/Mexico_City',
    suffix: 'S.A. de C.V.',
    first: ['Sofía', 'Diego', 'Valeria'],
    last: ['Hernández', 'Ruiz', 'Castillo'],
  },
  {
    locale: 'fr',
    timezone: 'Europe/Paris',
    suffix: 'SARL',
    first: ['Chloé', 'Louis', 'Élodie'],
    last: ['Lefèvre', 'Moreau', 'Girard'],
  },
  {
    locale: 'de',
    timezone: 'Europe/Berlin',
    suffix: 'GmbH',
    first: ['Jonas', 'Lena', 'Lukas'],
    last: ['Schäfer', 'Wagner', 'Becker'],
  },
  {
    locale: 'de',
    timezone: 'Europe/Vienna',
    suffix: 'GmbH',
    first: ['Anna', 'Felix', 'Marie'],
    last: ['Huber', 'Gruber', 'Bauer'],
  },
];

const NAME_PARTS = [
  ['Nord', 'Blue', 'Alpen', 'Costa', 'Silver', 'Rhein', 'Atlas', 'Sierra', 'Loire', 'Maple'],
  ['stone', 'field', 'wave', 'bridge', 'works', 'point', 'light', 'gate', 'forge', 'line'],
  ['Design', 'Engineering', 'Media', 'Architects', 'Logistics', 'Studio', 'Partners', 'Systems'],
];

const BEHAVIOURS: [Behaviour, number][] = [
  ['steady', 30],
  ['late-deployer', 14],
  ['never-activates', 12],
  ['dip-and-recover', 10],
  ['early-renewer', 10],
  ['lapser', 8],
  ['late-renewer', 6],
  ['vanisher', 4],
];

export interface SampleLine {
  product: string;
  seats: number;
}

export interface SampleCustomer {
  customerId: string;
  customerName: string;
  adminName: string;
  adminEmail: string;
  ownerEmail: string;
  vendor: string;
  locale: Locale;
  timezone: string;
  behaviour: Behaviour;
  termYears: 1 | 3;
  /** Start of the term that is current on the first simulated day (may lie in the future: a new customer). */
  firstTermStart: IsoDate;
  lines: SampleLine[];
  /** Per-customer constants drawn once, so every night is a pure function of (customer, date). */
  deployDay: number;
  activeShare: number;
  vanishDay: number;
}

export interface SamplePortfolioOptions {
  customers: number;
  seed: number;
  /** First simulated day. */
  start: IsoDate;
  /** Account owners at the reseller. */
  owners?: string[];
}

export const DEFAULT_OWNERS = [
  'dana.owner@reseller.example',
  'marco.owner@reseller.example',
  'ines.owner@reseller.example',
];

/** mulberry32: a tiny seeded generator, enough for sample data and stable across Node versions. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function weighted<T>(random: () => number, items: readonly [T, number][]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let roll = random() * total;
  for (const [item, w] of items) {
    roll -= w;
    if (roll < 0) return item;
  }
  return items[items.length - 1]![0];
}

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateSamplePortfolio(options: SamplePortfolioOptions): SampleCustomer[] {
  const random = seededRandom(options.seed);
  const owners = options.owners ?? DEFAULT_OWNERS;
  const customers: SampleCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const market = pick(random, MARKETS);
    const vendor = pick(random, VENDORS);
    const name = `${pick(random, NAME_PARTS[0]!)}${pick(random, NAME_PARTS[1]!)} ${pick(random, NAME_PARTS[2]!)}`;
    const customerName = random() < 0.08 ? `${name}, ${market.suffix}` : `${name} ${market.suffix}`;
    const first = pick(random, market.first);
    const last = pick(random, market.last);
    const lineCount = between(random, 1, vendor.products.length);
    const lines = vendor.products.slice(0, lineCount).map((p) => ({
      product: p.name,
      seats: between(random, p.seats[0], p.seats[1]),
    }));
    const termYears: 1 | 3 = random() < 0.12 ? 3 : 1;
    // Terms start anywhere from most of a term ago to most of a year ahead: some customers are mid-term on
    // the first night, some arrive as new customers while the simulation runs.
    const offset = between(random, -330 * termYears, 300);
    const customerId = `C-${String(i + 1).padStart(4, '0')}`;
    const company = slug(name);
    customers.push({
      customerId,
      customerName,
      adminName: `${first} ${last}`,
      adminEmail: `${slug(first)}.${slug(last)}@${company}.example`,
      ownerEmail: owners[i % owners.length]!,
      vendor: vendor.name,
      locale: market.locale,
      timezone: market.timezone,
      behaviour: weighted(random, BEHAVIOURS),
      termYears,
      firstTermStart: addDays(options.start, offset),
      lines,
      deployDay: between(random, 3, 12),
      activeShare: 0.7 + random() * 0.25,
      vanishDay: between(random, 60, 200),
    });
  }
  // An IT service provider often administers licences for several clients: share a few admin addresses so the
  // one-email-a-day rule has work to do.
  for (let i = 5; i + 1 < customers.length; i += 37) {
    customers[i + 1]!.adminEmail = customers[i]!.adminEmail;
    customers[i + 1]!.adminName = customers[i]!.adminName;
  }
  return customers;
}

interface Term {
  start: IsoDate;
  end: IsoDate;
}

function termLengthDays(start: IsoDate, years: number): number {
  const [y, m, d] = start.split('-');
  const end = `${Number(y) + years}-${m}-${d === '29' && m === '02' ? '28' : d}`;
  return daysBetween(start, end);
}

/** Small deterministic wobble per customer and day, so usage looks alive but replays identically. */
function wobble(customerId: string, day: number): number {
  let h = 2166136261;
  const text = `${customerId}:${day}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1000) / 1000 - 0.5;
}

/**
 * The term a customer is on at `date`, or null when it has no term yet or has dropped out of the exports.
 * Renewing customers roll into the next term; a lapser stays in the exports with its ended term for 45 days.
 */
export function termOn(customer: SampleCustomer, date: IsoDate): Term | null {
  let start = customer.firstTermStart;
  if (date < start) return null;
  // Roll forward through renewals.
  for (;;) {
    const end = addDays(start, termLengthDays(start, customer.termYears));
    const renews =
      customer.behaviour !== 'lapser' &&
      !(customer.behaviour === 'late-renewer' && start !== customer.firstTermStart);
    const renewalLead =
      customer.behaviour === 'early-renewer' ? 30 : customer.behaviour === 'late-renewer' ? -25 : 3;
    const renewedOn = addDays(end, -renewalLead);
    if (renews && date >= renewedOn) {
      start = end;
      continue;
    }
    if (!renews && date > addDays(end, 45)) return null;
    return { start, end };
  }
}

/** One night's export: the lines every customer shows on `date`. */
export function snapshotRowsOn(customers: readonly SampleCustomer[], date: IsoDate): SnapshotRow[] {
  const rows: SnapshotRow[] = [];
  for (const customer of customers) {
    const term = termOn(customer, date);
    if (!term) continue;
    const since = daysBetween(customer.firstTermStart, date);
    if (customer.behaviour === 'vanisher' && since >= customer.vanishDay) continue;
    const termDay = daysBetween(term.start, date);
    for (const line of customer.lines) {
      const { assigned, active } = usageOn(customer, line.seats, termDay, since);
      rows.push({
        customerId: customer.customerId,
        customerName: customer.customerName,
        adminEmail: customer.adminEmail,
        adminName: customer.adminName,
        ownerEmail: customer.ownerEmail,
        product: line.product,
        licensesPurchased: line.seats,
        licensesAssigned: assigned,
        activeUsers: active,
        termStart: term.start,
        termEnd: term.end,
        locale: customer.locale,
        timezone: customer.timezone,
        snapshotDate: date,
      });
    }
  }
  return rows;
}

function usageOn(
  customer: SampleCustomer,
  seats: number,
  termDay: number,
  sinceFirstTerm: number,
): { assigned: number; active: number } {
  const deployDay = customer.behaviour === 'late-deployer' ? 30 + customer.deployDay * 2 : customer.deployDay;
  // Seats get assigned over about two weeks from the deployment day; renewed terms start fully deployed.
  const ramp = sinceFirstTerm > termDay ? 1 : Math.min(1, Math.max(0, (termDay - deployDay + 14) / 14));
  const assigned = Math.round(seats * ramp);
  let share = customer.activeShare;
  if (customer.behaviour === 'never-activates') share = 0.25;
  if (customer.behaviour === 'dip-and-recover' && termDay >= 120 && termDay < 170) share = 0.3;
  const noise = 1 + wobble(customer.customerId, sinceFirstTerm) * 0.08;
  const active = Math.max(0, Math.min(assigned, Math.round(assigned * share * noise)));
  return { assigned, active };
}

const CSV_COLUMNS: [keyof SnapshotRow, string][] = [
  ['customerId', 'customer_id'],
  ['customerName', 'customer_name'],
  ['adminEmail', 'admin_email'],
  ['adminName', 'admin_name'],
  ['ownerEmail', 'owner_email'],
  ['product', 'product'],
  ['licensesPurchased', 'licenses_purchased'],
  ['licensesAssigned', 'licenses_assigned'],
  ['activeUsers', 'active_users'],
  ['termStart', 'term_start'],
  ['termEnd', 'term_end'],
  ['locale', 'locale'],
  ['timezone', 'timezone'],
  ['snapshotDate', 'snapshot_date'],
];

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The export as a reseller would upload it: CSV with the canonical header. */
export function toCsv(rows: readonly SnapshotRow[]): string {
  const lines = [CSV_COLUMNS.map(([, header]) => header).join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map(([key]) => csvField(row[key])).join(','));
  return `${lines.join('\n')}\n`;
}
