import { addDays, daysBetween, type IsoDate } from '../lambdas/domain/dates';
import type { Locale } from '../lambdas/domain/locales';
import type { SnapshotRow } from '../lambdas/domain/snapshot/snapshotRow';

// A deterministic, realistic sample portfolio for the local run and `clm simulate --customers`: customers of
// three vendors in four languages and time zones from Los Angeles to Auckland, with the behaviours a reseller
// meets every year: subscriptions on their own anniversaries (some lapsing while others renew), customers
// provisioned before their term starts, admins who leave, and one admin spelled two ways in two exports.

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
  /**
   * A subscription added later on its own anniversary (Microsoft CSP, Adobe add-ons): its first term starts
   * here and renews yearly, unless it lapses. Absent: the line is on the customer's main term.
   */
  ownTermStart?: IsoDate;
  lapses?: boolean;
  /** A lapsed line stays in the exports with its ended term for 20 days; otherwise it leaves them at once. */
  staysAfterLapse?: boolean;
}

/** The export names a new admin from `on` (the previous one left the company). */
export interface AdminChange {
  on: IsoDate;
  adminName: string;
  adminEmail: string;
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
  /** Days before its first term starts that the customer already appears in the exports (pre-provisioned). */
  provisionedDays?: number;
  adminChange?: AdminChange;
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
  addRealWorld(customers, seededRandom(options.seed + 1), options.start);
  return customers;
}

/** Products a customer adds later, on a subscription of their own. */
const ADD_ONS: Record<string, [string, number][]> = {
  Adobe: [
    ['Adobe Express Premium', 8],
    ['Substance 3D Collection', 3],
  ],
  Microsoft: [
    ['Microsoft Defender for Business', 40],
    ['Visio Plan 2', 6],
  ],
  Dassault: [
    ['SOLIDWORKS Simulation Premium', 2],
    ['DraftSight Professional', 12],
  ],
};

const FAR_EAST: { timezone: string; first: string[]; last: string[] }[] = [
  { timezone: 'Asia/Tokyo', first: ['Haruto', 'Yui', 'Sota'], last: ['Sato', 'Tanaka', 'Ito'] },
  {
    timezone: 'Australia/Sydney',
    first: ['Jack', 'Isla', 'Charlotte'],
    last: ['Wilson', 'Taylor', 'Martin'],
  },
  { timezone: 'Pacific/Auckland', first: ['Aroha', 'Nikau', 'Mia'], last: ['Ngata', 'Parata', 'Smith'] },
];

/** The same address as another export spells it: capitals here and there. */
function respelled(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  const capital = local.replace(/(^|\.)([a-z])/g, (_m, dot: string, ch: string) => dot + ch.toUpperCase());
  return `${capital}@${domain.charAt(0).toUpperCase()}${domain.slice(1)}`;
}

/**
 * What real portfolios add to the generated customers, drawn from a second generator so the customers
 * themselves stay as they were: admins in the far east, add-on subscriptions on their own terms, customers
 * provisioned before their term starts, admins who leave, and shared admins spelled differently.
 */
function addRealWorld(customers: SampleCustomer[], random: () => number, start: IsoDate): void {
  customers.forEach((customer, i) => {
    if (i % 10 === 3) {
      const market = FAR_EAST[Math.floor(i / 10) % FAR_EAST.length]!;
      const first = pick(random, market.first);
      const last = pick(random, market.last);
      customer.timezone = market.timezone;
      customer.locale = 'en';
      customer.adminName = `${first} ${last}`;
      customer.adminEmail = `${slug(first)}.${slug(last)}@${customer.adminEmail.split('@')[1]}`;
    }
    if (i % 9 === 4) {
      // One or two add-ons, each on its own anniversary; every other customer lets one lapse.
      const addOns = ADD_ONS[customer.vendor] ?? [];
      const count = i % 18 === 4 ? 2 : 1;
      addOns.slice(0, count).forEach(([product, seats], k) => {
        customer.lines.push({
          product,
          seats: Math.max(1, Math.round(seats * (0.5 + random()))),
          ownTermStart: addDays(customer.firstTermStart, between(random, 40, 200)),
          lapses: k === 0 && i % 2 === 0,
          staysAfterLapse: i % 4 === 0,
        });
      });
    }
    if (i % 13 === 7 && customer.firstTermStart > addDays(start, 25))
      customer.provisionedDays = between(random, 7, 20);
    if (i % 11 === 6 && customer.behaviour !== 'vanisher') {
      const market = MARKETS.find((m) => m.timezone === customer.timezone) ?? FAR_EAST[0]!;
      const first = pick(random, market.first);
      const last = pick(random, market.last);
      const from = customer.firstTermStart > start ? customer.firstTermStart : start;
      customer.adminChange = {
        on: addDays(from, between(random, 60, 200)),
        adminName: `${first} ${last}`,
        adminEmail: `${slug(first)}.${slug(last)}.new@${customer.adminEmail.split('@')[1]}`,
      };
    }
  });
  // An IT service provider often administers licences for several clients, in one place, and each client's
  // export spells the address its own way: the one-email-a-day rule has work to do.
  for (const [a, b] of [
    [5, 6],
    [13, 14],
    [42, 43],
    [53, 54],
    [79, 80],
    [116, 117],
  ] as const) {
    const first = customers[a];
    const second = customers[b];
    if (!first || !second) continue;
    second.adminEmail = respelled(first.adminEmail);
    second.adminName = first.adminName;
    second.timezone = first.timezone;
    second.locale = first.locale;
    delete first.adminChange;
    delete second.adminChange;
  }
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
  if (date < start) {
    // A pre-provisioned customer shows its first term in the exports some days before it starts.
    const provisioned = customer.provisionedDays ?? 0;
    if (provisioned > 0 && date >= addDays(start, -provisioned))
      return { start, end: addDays(start, termLengthDays(start, customer.termYears)) };
    return null;
  }
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

/**
 * The term of an add-on line at `date`, or null when it has not started or has left the exports. It renews a
 * few days before each anniversary unless it lapses; a lapsed line stays 20 days or leaves at once.
 */
export function lineTermOn(line: SampleLine, date: IsoDate): Term | null {
  let start = line.ownTermStart;
  if (!start || date < start) return null;
  for (;;) {
    const end = addDays(start, termLengthDays(start, 1));
    if (!line.lapses && date >= addDays(end, -3)) {
      start = end;
      continue;
    }
    if (line.lapses && date > addDays(end, line.staysAfterLapse ? 20 : 0)) return null;
    return { start, end };
  }
}

/** The admin the export names on `date`. */
export function adminOn(customer: SampleCustomer, date: IsoDate): { adminName: string; adminEmail: string } {
  const change = customer.adminChange;
  return change && date >= change.on ? change : customer;
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
    const admin = adminOn(customer, date);
    for (const line of customer.lines) {
      const lineTerm = line.ownTermStart ? lineTermOn(line, date) : term;
      if (!lineTerm) continue;
      // An add-on is bought for people already working: assigned and in use from its second week.
      const { assigned, active } = line.ownTermStart
        ? usageOn(customer, line.seats, Math.max(0, daysBetween(lineTerm.start, date) - 7), since + 365)
        : usageOn(customer, line.seats, termDay, since);
      rows.push({
        customerId: customer.customerId,
        customerName: customer.customerName,
        adminEmail: admin.adminEmail,
        adminName: admin.adminName,
        ownerEmail: customer.ownerEmail,
        product: line.product,
        licensesPurchased: line.seats,
        licensesAssigned: assigned,
        activeUsers: active,
        termStart: lineTerm.start,
        termEnd: lineTerm.end,
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
