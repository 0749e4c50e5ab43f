import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import { capture } from '../../helpers/cliIo';

// Issue 13: a week of daily files in each preset's layout, replayed through clm simulate, sends the welcome,
// deployment and renewal emails. Each day is the example export with the file name's date (and the export's
// own report date, where it has one); values are set in the copies so the plays open this week:
// a term starting on Monday (welcome), a term in its weeks 2–10 with seats unassigned (deployment) and a
// term ending 84 days after Wednesday (renewal).

const WEEK = [
  '2026-03-02',
  '2026-03-03',
  '2026-03-04',
  '2026-03-05',
  '2026-03-06',
  '2026-03-07',
  '2026-03-08',
];
const RENEWAL_END = '2026-05-27'; // Wednesday 2026-03-04 + 84 days

interface Week {
  preset: string;
  example: string;
  /** The day's export: the example with what that day changes. */
  day: (example: string, day: string) => string;
  contacts?: (example: string) => string;
  /** The emails the week must send: template, customer, recipient. */
  expected: [string, string, string][];
  /** The export has no assignment count, so every seat counts as assigned and no deployment email goes. */
  noAssignmentCount?: true;
}

function replace(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`not in the example: ${from}`);
    out = out.split(from).join(to);
  }
  return out;
}

/** The file's line n (0: the header), its line ending left off. */
function lineOf(text: string, n: number): string {
  const line = text.split(/\r?\n/)[n];
  if (line === undefined) throw new Error(`the example has no line ${n}`);
  return line;
}

const WEEKS: Week[] = [
  {
    preset: 'partner-center-insights-seats',
    expected: [
      ['welcome', '7c1e5a1e-2b0c-4d1e-9f5e-000000000009', 'it@alpineskihouse.example'],
      ['deployment', '7c1e5a1e-2b0c-4d1e-9f5e-000000000001', 'it-licensing@contoso-pharma.example'],
      ['renewal', '3d2b8f0a-5c6e-4a7b-8c9d-000000000002', 'it@fabrikam.example'],
    ],
    example: '2026-03-02.csv',
    // Contoso's term started 2/16 with 18 of 25 seats assigned (deployment); Fabrikam's term ends 84 days after
    // Wednesday (renewal); a new customer, Alpine Ski House, starts on Monday (welcome).
    day: (example) => {
      const body = replace(example, [['11/19/2026 12:00:00 AM', '5/27/2026 12:00:00 AM']]);
      const alpine = lineOf(body, 1)
        .split('a1f3c2d4-0001-4e5f-9a7b-100000000001')
        .join('a1f3c2d4-0009-4e5f-9a7b-100000000009')
        .split('7c1e5a1e-2b0c-4d1e-9f5e-000000000001')
        .join('7c1e5a1e-2b0c-4d1e-9f5e-000000000009')
        .split('Contoso Pharma GmbH')
        .join('Alpine Ski House')
        .split('2/16/2026 12:00:00 AM')
        .join('3/2/2026 12:00:00 AM')
        .split('2/15/2027 12:00:00 AM')
        .join('3/1/2027 12:00:00 AM')
        .replace(',2/1/2026,True,', ',3/1/2026,True,');
      return `${body}${alpine}\r\n`;
    },
    contacts: (example) =>
      `${replace(example, [[',"Fabrikam, Inc.",,,', ',"Fabrikam, Inc.",it@fabrikam.example,Ola Nordmann,']]).trimEnd()}\n` +
      '7c1e5a1e-2b0c-4d1e-9f5e-000000000009,Alpine Ski House,it@alpineskihouse.example,Ana Bowman,dana.owner@reseller.example,en,Europe/Berlin\n',
  },
  {
    preset: 'partner-center-insights-usage',
    expected: [
      ['welcome', '9a8b7c6d-0009-4e2f-8a1b-000000000009', 'it@northwind.example'],
      ['deployment', '9a8b7c6d-0001-4e2f-8a1b-000000000003', 'it@northwind.example'],
      ['renewal', '9a8b7c6d-0001-4e2f-8a1b-000000000003', 'it@northwind.example'],
    ],
    example: '2026-03-02.csv',
    // Northwind: both terms began 1/5/2026 (week 9), Teams Essentials with 22 of 30 seats assigned (deployment);
    // Power BI's ends 84 days after Wednesday (renewal); a new customer, Woodgrove, starts on Monday (welcome).
    // The mapping gives one admin to both, who gets one email a day.
    day: (example) => {
      const body = replace(example, [['10/13/2025,10/12/2026', '1/5/2026,5/27/2026']]);
      const woodgrove = lineOf(body, 2)
        .split('b2e4d3c5-0001-4f6a-8b9c-200000000001')
        .join('b2e4d3c5-0009-4f6a-8b9c-200000000009')
        .split('9a8b7c6d-0001-4e2f-8a1b-000000000003')
        .join('9a8b7c6d-0009-4e2f-8a1b-000000000009')
        .split('Northwind Traders SARL')
        .join('Woodgrove Bank SA')
        .split('1/5/2026,1/4/2027')
        .join('3/2/2026,3/1/2027');
      return `${body.trimEnd()}\n${woodgrove}\n`;
    },
  },
  {
    preset: 'partner-center-license-deployment',
    expected: [
      ['welcome', '5e6f7a8b-0009-4c2d-9e3f-000000000009', 'admin@tailspin.example'],
      ['deployment', '5e6f7a8b-0001-4c2d-9e3f-000000000004', 'admin@tailspin.example'],
      ['renewal', '5e6f7a8b-0008-4c2d-9e3f-000000000008', 'admin@tailspin.example'],
    ],
    example: '2026-03-02.json',
    // The export has no term dates: the mapping's term_start (2026-01-01) puts Tailspin in term week 9 with 14
    // of 20 E1 seats deployed (deployment). Two more customers carry their own term columns beside the preset's,
    // as a reseller may add them: Fourth Coffee starting on Monday (welcome), Lamna Healthcare's term ending 84
    // days after Wednesday (renewal). The mapping gives one admin to all, who gets one email a day.
    day: (example, day) => {
      const file = JSON.parse(replace(example, [['2026-03-01T05:12:44Z', `${day}T05:12:44Z`]]));
      const [, record] = file.Value;
      file.Value.push(
        {
          ...record,
          customerTenantId: '5e6f7a8b-0009-4c2d-9e3f-000000000009',
          customerName: 'Fourth Coffee',
          term_start: '2026-03-02',
        },
        {
          ...record,
          customerTenantId: '5e6f7a8b-0008-4c2d-9e3f-000000000008',
          customerName: 'Lamna Healthcare',
          term_start: '2025-05-28',
          term_end: RENEWAL_END,
        },
      );
      return JSON.stringify(file, null, 2);
    },
  },
  {
    preset: 'partner-center-subscriptions',
    expected: [
      ['welcome', '8b9c0d1e-0001-4f2a-8b3c-000000000005', 'it@litware.example'],
      ['renewal', '8b9c0d1e-0001-4f2a-8b3c-000000000005', 'it@litware.example'],
    ],
    noAssignmentCount: true,
    example: '2026-03-02.csv',
    // Litware: both lines start on Monday (welcome); the second one's commitment ends 84 days after Wednesday
    // (renewal). The list has no assignment count: no deployment email.
    day: (example) =>
      replace(example, [
        [
          '"2/20/2026 9:14:02 AM","2/20/2026 12:00:00 AM","2/19/2027 12:00:00 AM"',
          '"3/2/2026 9:14:02 AM","3/2/2026 12:00:00 AM","3/1/2027 12:00:00 AM"',
        ],
        [
          '"2/20/2026 9:20:41 AM","2/20/2026 12:00:00 AM",""',
          '"3/2/2026 9:20:41 AM","3/2/2026 12:00:00 AM","5/27/2026 12:00:00 AM"',
        ],
      ]),
  },
  {
    preset: 'adobe-vip-subscriptions',
    expected: [
      ['welcome', 'P1005238898', 'studio-admin@adatum.example'],
      ['deployment', 'P1005238897', 'studio-admin@adatum.example'],
      ['renewal', 'P1005238896', 'studio-admin@adatum.example'],
    ],
    example: '2026-03-02.json',
    // The file is one customer's (the mapping names it) and a term is taken to start a year before its
    // anniversary. Adatum's first subscription renews 84 days after Wednesday (renewal). Two more customers
    // carry their own customer_id and customer_name columns beside the preset's, as a reseller may add them:
    // one renewing 2027-02-09 (term week 4) with 1 of 3 seats used (deployment), one renewing 2027-03-02
    // (its term starting on Monday: welcome).
    day: (example) => {
      const file = JSON.parse(
        replace(example, [['"renewalDate": "2026-03-10"', `"renewalDate": "${RENEWAL_END}"`]]),
      );
      const [, item] = file.items;
      file.items.push(
        {
          ...item,
          subscriptionId: '8675309a4b2e',
          customer_id: 'P1005238897',
          customer_name: 'Adatum Print',
          renewalDate: '2027-02-09',
          usedQuantity: 1,
        },
        {
          ...item,
          subscriptionId: '8675309a4b2f',
          customer_id: 'P1005238898',
          customer_name: 'Adatum Video',
          renewalDate: '2027-03-02',
        },
      );
      return JSON.stringify(file, null, 2);
    },
  },
  {
    preset: 'distributor-adobe-assets',
    expected: [
      ['welcome', 'TA-0001-000077', 'it@proseware.example'],
      ['renewal', 'TA-0001-000042', 'admin@wingtip.example'],
    ],
    noAssignmentCount: true,
    example: '2026-03-02.csv',
    // Wingtip renews 84 days after Wednesday (renewal); Proseware's term began 2026-02-24 (welcome). No
    // assignment count: no deployment email.
    day: (example) => replace(example, [[';2026-06-15;', `;${RENEWAL_END};`]]),
  },
  {
    preset: 'dassault-dsls-usage',
    expected: [
      ['welcome', '200000000077777', 'cad-admin@coho.example'],
      ['deployment', '200000000012345', 'cad-admin@coho.example'],
      ['renewal', '200000000099999', 'cad-admin@coho.example'],
    ],
    example: '2026-03-02.csv',
    // The file names each row's customer: MD2 expires 2026-12-31, so its term began 2026-01-01 (week 9) with 7
    // of 10 named seats in use (deployment); SW-PRO moves to a second site expiring 84 days after Wednesday
    // (renewal); a third site's licence expires 2027-03-02, its term beginning on Monday (welcome).
    day: (example) => {
      const body = replace(example, [
        ['2027-02-20 23:59:00,200000000012345', `${RENEWAL_END} 23:59:00,200000000099999`],
      ]);
      const site = lineOf(body, 3).replace(
        `${RENEWAL_END} 23:59:00,200000000099999`,
        '2027-03-02 23:59:00,200000000077777',
      );
      return `${body.trimEnd()}\n${site}\n`;
    },
  },
  {
    preset: 'pax8-subscriptions',
    expected: [
      ['welcome', 'e5f7a6b8-0001-4c9d-8e1f-000000000006', 'admin@relecloud.example'],
      ['renewal', 'e5f7a6b8-0001-4c9d-8e1f-000000000006', 'admin@relecloud.example'],
    ],
    noAssignmentCount: true,
    example: '2026-03-02.json',
    // Relecloud: both subscriptions start on Monday (welcome); the monthly one gets a commitment ending 84 days
    // after Wednesday (renewal). Pax8 has no assignment count: no deployment email.
    day: (example) =>
      replace(example, [
        [
          '"startDate": "2026-02-23",\n      "endDate": null,\n      "createdDate": "2026-02-23T14:05',
          '"startDate": "2026-03-02",\n      "endDate": null,\n      "createdDate": "2026-03-02T14:05',
        ],
        ['"endDate": "2027-02-22"', '"endDate": "2027-03-01"'],
        ['"startDate": "2026-02-23"', '"startDate": "2026-03-02"'],
        [
          '"commitmentTerm": null',
          `"commitmentTerm": { "id": "a7b9c8d0-0002-4e1f-8a3b-000000000202", "term": "Annual", "endDate": "${RENEWAL_END}" }`,
        ],
      ]),
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-preset-weeks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function replay(week: Week) {
  const folder = join('examples', week.preset);
  const example = await readFile(join(folder, week.example), 'utf8');
  const snapshots = join(dir, week.preset);
  await mkdir(snapshots);
  const ext = week.example.slice(week.example.indexOf('.'));
  for (const day of WEEK) await writeFile(join(snapshots, `${day}${ext}`), week.day(example, day));
  const args = ['simulate', '--snapshots', snapshots, '--out', join(dir, `${week.preset}-out`)];
  if (week.contacts) {
    const contacts = join(dir, `${week.preset}-contacts.csv`);
    await writeFile(contacts, week.contacts(await readFile(join(folder, 'contacts.csv'), 'utf8')));
    args.push('--contacts', contacts);
  } else args.push('--mapping', join(folder, 'mapping.json'));
  const io = capture();
  const code = await main(args, io);
  expect(code, io.stderr).toBe(0);
  const events = (await readFile(join(dir, `${week.preset}-out`, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  return events;
}

describe('a week of daily exports per preset through clm simulate', () => {
  it.each(WEEKS)(
    '$preset',
    async (week) => {
      const events = await replay(week);
      const ingests = events.filter((e) => e.kind === 'ingest');
      expect(ingests).toHaveLength(7);
      expect(ingests.every((e) => e.accepted > 0 && e.rejected === 0)).toBe(true);
      const emails = events.filter((e) => e.kind === 'email').map((e) => [e.template, e.customerId, e.to]);
      for (const email of week.expected) expect(emails).toContainEqual(email);
      if (week.noAssignmentCount)
        expect(emails.filter(([template]) => template === 'deployment')).toEqual([]);
    },
    120_000,
  );
});
