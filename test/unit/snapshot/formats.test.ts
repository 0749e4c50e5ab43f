import { describe, expect, it } from 'vitest';
import { readSnapshot, SnapshotFileError } from '../../../lambdas/domain/snapshot/reader';
import { chunked, csvLine, HEADER, readAll } from '../../helpers/snapshotFiles';

type Read = Awaited<ReturnType<typeof readAll>>;
const rows = (events: Read['events']) => events.flatMap((e) => (e.type === 'row' ? [e.row] : []));

async function readBytes(bytes: Buffer, fileName = '2026-11-20.csv') {
  async function* input() {
    for (let i = 0; i < bytes.length; i += 5) yield bytes.subarray(i, i + 5);
  }
  const reader = readSnapshot(input(), { fileName });
  const events: Read['events'] = [];
  for (;;) {
    const next = await reader.next();
    if (next.done) return { events, summary: next.value };
    events.push(...next.value);
  }
}

describe('readSnapshot: spreadsheet and shell exports', () => {
  it("skips Excel's sep= line and PowerShell's #TYPE line, keeping physical line numbers", async () => {
    // Prepare
    const sep = [
      'sep=;',
      HEADER.replaceAll(',', ';'),
      csvLine({ licenses_purchased: 'x' }).replaceAll(',', ';'),
    ];
    const type = [
      '#TYPE Microsoft.Store.PartnerCenter.PowerShell.Models.PSSubscription',
      HEADER,
      csvLine(),
      csvLine({ customer_id: 'C2', admin_email: 'no' }),
    ];

    // Act
    const excel = await readAll(sep.join('\r\n'));
    const powershell = await readAll(type.join('\n'));

    // Assess
    expect(excel.summary.rejected).toEqual([
      { line: 3, column: 'licenses_purchased', reason: expect.any(String) },
    ]);
    expect(powershell.summary).toMatchObject({ rows: 2, accepted: 1 });
    expect(powershell.summary.rejected).toEqual([
      { line: 4, column: 'admin_email', reason: 'not a valid email address "no"' },
    ]);
  });

  it('reads a file whose line endings are mixed (CRLF, then a bare LF), losing no row', async () => {
    // Prepare: a row appended by a tool that writes LF to a CRLF export
    const text = `${[HEADER, csvLine(), csvLine({ customer_id: 'C2' })].join('\r\n')}\n${csvLine({ customer_id: 'C3' })}\r\n`;

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(summary).toMatchObject({ rows: 3, accepted: 3, rejected: [] });
    expect(rows(events).map((row) => row.customerId)).toEqual(['C1', 'C2', 'C3']);
  });

  it('reads a tab-separated file', async () => {
    // Act
    const { summary } = await readAll(
      [HEADER, csvLine(), csvLine({ customer_id: 'C2' })].join('\n').replaceAll(',', '\t'),
    );

    // Assess
    expect(summary).toMatchObject({ rows: 2, accepted: 2, rejected: [] });
  });

  it("reads Excel's Unicode text: UTF-16LE with a BOM, tab-separated", async () => {
    // Prepare
    const text = [HEADER, csvLine({ customer_name: 'Fabrikam Österreich' })]
      .join('\r\n')
      .replaceAll(',', '\t');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

    // Act
    const { summary, events } = await readBytes(bytes, '2026-11-20.txt');

    // Assess
    expect(summary).toMatchObject({ accepted: 1, rejected: [], warnings: [] });
    expect(rows(events)[0]!.customerName).toBe('Fabrikam Österreich');
  });

  it('reads a Windows-1252 file as such, with a warning, never garbled', async () => {
    // Prepare: Ö is 0xD6 in Windows-1252, not valid UTF-8; it comes after many plain rows
    const plain = Array.from({ length: 30 }, (_, i) => csvLine({ customer_id: `C${i}` }));
    const text = [
      HEADER,
      ...plain,
      csvLine({ customer_id: 'AT', customer_name: 'Fabrikam Österreich' }),
    ].join('\n');
    const bytes = Buffer.from(text, 'latin1');

    // Act
    const { summary, events } = await readBytes(bytes);

    // Assess
    expect(summary.accepted).toBe(31);
    expect(rows(events).find((r) => r.customerId === 'AT')!.customerName).toBe('Fabrikam Österreich');
    expect(summary.warnings).toEqual([expect.stringContaining('read as Windows-1252')]);
  });

  it('refuses a file that mixes UTF-8 with another encoding', async () => {
    // Prepare
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n${csvLine({ customer_name: 'Zürich AG' })}\n`, 'utf8'),
      Buffer.from(`${csvLine({ customer_id: 'C2', customer_name: 'Wien Ö' })}\n`, 'latin1'),
    ]);

    // Act
    const failure = await readBytes(bytes).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SnapshotFileError);
    expect((failure as Error).message).toMatch(/mixes UTF-8 with another encoding/);
  });
});

describe('readSnapshot: messages for broken files', () => {
  it('reports a stray quote inside an unquoted field once, at its line, counting the row once', async () => {
    // Prepare
    const text = [
      HEADER,
      csvLine(),
      csvLine({ customer_id: 'C2', customer_name: 'The "Best" Co' }),
      csvLine({ customer_id: 'C3' }),
    ].join('\n');

    // Act
    const { summary } = await readAll(text);

    // Assess
    expect(summary).toMatchObject({ rows: 3, accepted: 2 });
    expect(summary.rejected).toEqual([
      { line: 3, column: null, reason: expect.stringMatching(/^unreadable CSV record: .*quote/) },
    ]);
  });

  it('refuses a header that names one of our columns twice', async () => {
    // Act
    const failure = await readAll(`${HEADER},Product\n${csvLine()},Other\n`).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SnapshotFileError);
    expect((failure as Error).message).toBe(
      'the header "Product" appears twice (columns 5 and 11): rename or remove one',
    );
  });

  it('says "no such day" for 2026-02-30', async () => {
    // Act
    const { summary } = await readAll([HEADER, csvLine({ term_end: '2026-02-30' })].join('\n'));

    // Assess
    expect(summary.rejected).toEqual([{ line: 2, column: 'term_end', reason: 'no such day: "2026-02-30"' }]);
  });
});

describe('readSnapshot: values as exports write them', () => {
  it('reads dates with a time part and timestamps', async () => {
    // Prepare
    const text = [
      HEADER,
      csvLine({ customer_id: 'A', term_start: '3/1/2026 12:00:00 AM', term_end: '12/31/2026 11:59:59 PM' }),
      csvLine({ customer_id: 'B', term_start: '2026-03-01 00:00:00', term_end: '2027-02-28T23:00:00Z' }),
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(summary.rejected).toEqual([]);
    expect(rows(events).map((r) => [r.termStart, r.termEnd])).toEqual([
      ['2026-03-01', '2026-12-31'],
      ['2026-03-01', '2027-02-28'],
    ]);
  });

  it('settles the day/month order from one unambiguous date and reads the whole file with it', async () => {
    // Prepare: 03/04/2026 alone is ambiguous; 15/12/2025 on a later line says day first
    const text = [
      HEADER,
      csvLine({ customer_id: 'A', term_start: '03/04/2026', term_end: '03/04/2027' }),
      csvLine({ customer_id: 'B', term_start: '15/12/2025', term_end: '15/12/2026' }),
      csvLine({ customer_id: 'C', term_start: '12/15/2025', term_end: '12/15/2026' }),
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(rows(events).map((r) => [r.customerId, r.termStart])).toEqual([
      ['B', '2025-12-15'],
      ['A', '2026-04-03'],
    ]);
    expect(summary.rejected).toEqual([
      {
        line: 4,
        column: 'term_start',
        reason: 'date "12/15/2025" does not fit: the file\'s dates are day first (as "15/12/2025" shows)',
      },
    ]);
  });

  it('reads 12/15/2025 as month first, and rejects dates nothing settles as ambiguous', async () => {
    // Act
    const settled = await readAll(
      [HEADER, csvLine({ term_start: '12/15/2025', term_end: '12/15/2026' })].join('\n'),
    );
    const open = await readAll(
      [HEADER, csvLine({ term_start: '03/04/2026', term_end: '03/04/2027' })].join('\n'),
    );

    // Assess
    expect(rows(settled.events)[0]).toMatchObject({ termStart: '2025-12-15', termEnd: '2026-12-15' });
    expect(open.summary.rejected).toEqual([
      { line: 2, column: 'term_start', reason: expect.stringMatching(/^date "03\/04\/2026" is ambiguous/) },
    ]);
  });

  it('reads 10.0 seats as 10, and 1.200 as 1200 only in a European file', async () => {
    // Prepare
    const text = [
      HEADER,
      csvLine({ licenses_purchased: '10.0', licenses_assigned: '"1,200"', active_users: '' }),
    ].join('\n');
    const european = [HEADER, csvLine({ licenses_purchased: '1.200', licenses_assigned: '10,0' })]
      .join('\n')
      .replaceAll(',', ';')
      .replace('10;0', '"10,0"');

    // Act
    const english = await readAll(text);
    const europe = await readAll(european, { europeanNumbers: true });
    const misread = await readAll(european);

    // Assess
    expect(rows(english.events)[0]).toMatchObject({
      licensesPurchased: 10,
      licensesAssigned: 1200,
      activeUsers: null,
    });
    expect(rows(europe.events)[0]).toMatchObject({ licensesPurchased: 1200, licensesAssigned: 10 });
    expect(misread.summary.rejected[0]!.reason).toMatch(/set the European number format/);
  });
});

describe('readSnapshot: JSON as APIs return it', () => {
  it('reads records under a named property, nested fields by dotted path and constants from the mapping', async () => {
    // Prepare
    const body = JSON.stringify({
      totalCount: 2,
      content: [
        {
          id: 'S1',
          company: { id: 'K1', name: 'Contoso' },
          sku: 'M365-E3',
          qty: 10.0,
          start: '2026-01-01',
          term: { endDate: '2027-01-01' },
        },
        {
          id: 'S2',
          company: { id: 'K1', name: 'Contoso' },
          sku: 'M365-E3',
          qty: 5,
          start: '2026-02-01',
          term: { endDate: null },
        },
      ],
    });
    const columnMapping = {
      id: 'subscription_id',
      'company.id': 'customer_id',
      'company.name': 'customer_name',
      sku: 'product',
      qty: 'licenses_purchased',
      start: 'term_start',
      'term.endDate': 'term_end',
      licenses_assigned: { value: 0 },
      admin_email: { value: 'it@contoso.example' },
      owner_email: { value: 'dana@reseller.example' },
      'Seats Owned': 'licenses_purchased',
    };

    // Act
    const { summary, events } = await readAll(body, { fileName: '2026-11-20.json', columnMapping });

    // Assess: two subscriptions of one product are two lines; the unused mapping entry is a warning
    expect(summary).toMatchObject({ rows: 2, accepted: 2, rejected: [] });
    expect(rows(events)).toMatchObject([
      {
        subscriptionId: 'S1',
        customerId: 'K1',
        product: 'M365-E3',
        licensesPurchased: 10,
        termEnd: '2027-01-01',
        ownerEmail: 'dana@reseller.example',
      },
      { subscriptionId: 'S2', termEnd: null },
    ]);
    expect(summary.warnings).toEqual([
      'the column mapping names "Seats Owned", which is not a column of this file',
    ]);
  });

  it('reads JSON records under the records path the settings name', async () => {
    // Prepare
    const record = {
      customer_id: 'C1',
      customer_name: 'A',
      admin_email: 'a@a.example',
      owner_email: 'o@r.example',
      product: 'P',
      licenses_purchased: 1,
      licenses_assigned: 1,
      term_start: '2026-01-01',
    };
    const body = JSON.stringify({ data: { items: [record] }, links: [] });

    // Act
    const { summary } = await readAll(body, { fileName: '2026-11-20.json', recordsPath: 'data.items' });
    const unnamed = await readAll(body, { fileName: '2026-11-20.json' }).catch((error: unknown) => error);

    // Assess
    expect(summary).toMatchObject({ rows: 1, accepted: 1 });
    expect((unnamed as Error).message).toMatch(/^not a table/);
  });
});

describe('readSnapshot: line identity', () => {
  it('collapses an identical duplicate and rejects both rows of a conflicting one, by subscription', async () => {
    // Prepare
    const text = [
      `${HEADER},subscription_id`,
      `${csvLine()},S1`,
      `${csvLine()},S1`,
      `${csvLine({ licenses_purchased: '12' })},S2`,
      `${csvLine({ licenses_purchased: '13' })},S2`,
    ].join('\n');

    // Act
    const { summary } = await readAll(text);

    // Assess
    expect(summary).toMatchObject({ rows: 4, accepted: 1, duplicates: 1 });
    expect(summary.rejected.map((r) => [r.line, r.column])).toEqual([
      [4, 'subscription_id'],
      [5, 'subscription_id'],
    ]);
  });
});

describe('readSnapshot: a customer with many lines', () => {
  it('finds repeats and conflicts among forty lines of one customer exactly', async () => {
    // Prepare: forty products, then an identical repeat of the 3rd and a different row for the 30th
    const lines = Array.from({ length: 40 }, (_, i) => csvLine({ product: `Product ${i}` }));
    const text = [
      HEADER,
      ...lines,
      csvLine({ product: 'Product 2' }),
      csvLine({ product: 'Product 29', licenses_purchased: '99' }),
    ].join('\n');

    // Act
    const { summary } = await readAll(text);

    // Assess
    expect(summary).toMatchObject({ rows: 42, accepted: 39, duplicates: 1 });
    expect(summary.rejected.map((r) => r.line)).toEqual([31, 43]);
  });
});

describe('chunked helper', () => {
  it('feeds bytes', async () => {
    let n = 0;
    for await (const chunk of chunked('abcdefgh', 3)) n += chunk.length;
    expect(n).toBe(8);
  });
});
