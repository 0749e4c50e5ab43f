import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import { tooManyLines } from '../../../lambdas/domain/snapshot/customerLimit';
import {
  FIELD_LIMITS,
  LINES_PER_CUSTOMER,
  QUOTED_CHARS,
  quoted,
} from '../../../lambdas/domain/snapshot/limits';
import { csvLine, HEADER, readAll } from '../../helpers/snapshotFiles';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file with a valid line, then the hostile ones, then another valid line. */
const HOSTILE = [
  HEADER,
  csvLine({ customer_id: 'OK1' }),
  csvLine({ customer_id: 'NAME', customer_name: `Acme ${'x'.repeat(500_000)}` }),
  csvLine({ customer_id: 'MAIL', admin_email: `${'a'.repeat(300)}@acme.example` }),
  csvLine({ customer_id: 'SEATS', licenses_purchased: '9'.repeat(450_000) }),
  csvLine({ customer_id: 'DATE', term_start: `2026-01-01${'Z'.repeat(450_000)}` }),
  csvLine({ customer_id: 'PROD', product: 'p'.repeat(FIELD_LIMITS.product + 1) }),
  csvLine({ customer_id: 'OK2', product: 'p'.repeat(FIELD_LIMITS.product) }),
].join('\n');

const EXPECTED = [
  {
    line: 3,
    column: 'customer_name',
    reason: `longer than the 256 characters allowed ("Acme ${'x'.repeat(QUOTED_CHARS - 5)}…")`,
  },
  {
    line: 4,
    column: 'admin_email',
    reason: `longer than the 254 characters allowed ("${'a'.repeat(QUOTED_CHARS)}…")`,
  },
  {
    line: 5,
    column: 'licenses_purchased',
    reason: `more than the 10000000 seats one line may have, got "${'9'.repeat(QUOTED_CHARS)}…"`,
  },
  {
    line: 6,
    column: 'term_start',
    reason: `expected a date (YYYY-MM-DD), got "2026-01-01${'Z'.repeat(30)}…"`,
  },
  {
    line: 7,
    column: 'product',
    reason: `longer than the 200 characters allowed ("${'p'.repeat(QUOTED_CHARS)}…")`,
  },
];

describe('snapshot limits', () => {
  it('rejects over-long values by line and column, quoting only their start, and keeps every valid row', async () => {
    // Act
    const { summary } = await readAll(HOSTILE);

    // Assess
    expect(summary.accepted).toBe(2);
    expect(summary.rejected).toEqual(EXPECTED);
  });

  it('clm validate reports the same rejections ingestion makes', async () => {
    // Prepare
    const path = join(dir, '2026-11-20.csv');
    await writeFile(path, HOSTILE);
    let stdout = '';

    // Act
    const code = await main(['validate', path, '--json'], {
      out: (text) => {
        stdout += text;
      },
      err: () => {},
    });

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ rows: 7, accepted: 2, rejected: EXPECTED });
    expect(stdout.length).toBeLessThan(2_000);
  });

  it('clm validate rejects a customer over the line limit by itself, as ingestion does', async () => {
    // Prepare: one customer with one line too many (one of them a conflicting duplicate that is taken back), and
    // another right at the limit
    const lines = [HEADER];
    for (let i = 0; i <= LINES_PER_CUSTOMER; i++)
      lines.push(csvLine({ customer_id: 'BIG', product: `P${i}` }));
    lines.push(csvLine({ customer_id: 'BIG', product: 'P0', licenses_purchased: '99' }));
    lines.push(csvLine({ customer_id: 'BIG', product: 'Q' }));
    for (let i = 0; i < LINES_PER_CUSTOMER; i++)
      lines.push(csvLine({ customer_id: 'EDGE', product: `P${i}` }));
    const path = join(dir, '2026-11-21.csv');
    await writeFile(path, lines.join('\n'));
    let stdout = '';

    // Act
    const code = await main(['validate', path, '--json'], {
      out: (text) => {
        stdout += text;
      },
      err: () => {},
    });

    // Assess: BIG keeps 251 lines after losing P0 to the conflict, and is rejected whole
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report.accepted).toBe(LINES_PER_CUSTOMER);
    expect(report.rejected).toEqual([
      { line: 2, column: 'product', reason: expect.stringContaining('conflicting duplicate') },
      { line: 2, column: 'customer_id', reason: tooManyLines('BIG', LINES_PER_CUSTOMER + 1) },
      {
        line: LINES_PER_CUSTOMER + 3,
        column: 'product',
        reason: expect.stringContaining('conflicting duplicate'),
      },
    ]);
  });

  it('quotes short values whole and never splits a character', () => {
    expect(quoted('Acme')).toBe('"Acme"');
    expect(quoted(`${'a'.repeat(QUOTED_CHARS - 1)}😀😀`)).toBe(`"${'a'.repeat(QUOTED_CHARS - 1)}…"`);
  });
});
