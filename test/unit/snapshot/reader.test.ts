import { describe, expect, it } from 'vitest';
import { SnapshotFileError } from '../../../lambdas/domain/snapshot/reader';
import { csvLine, HEADER, readAll } from '../../helpers/snapshotFiles';

const accepted = (events: Awaited<ReturnType<typeof readAll>>['events']) =>
  events.flatMap((e) => (e.type === 'row' ? [e.row] : []));

describe('readSnapshot: CSV', () => {
  it('reads a file with a BOM, semicolons and CRLF line endings', async () => {
    // Prepare
    const text = `\uFEFF${HEADER.replaceAll(',', ';')}\r\n${csvLine().replaceAll(',', ';')}\r\n`;

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(summary).toMatchObject({
      format: 'csv',
      rows: 1,
      accepted: 1,
      rejected: [],
      snapshotDate: '2026-11-20',
    });
    expect(accepted(events)[0]).toMatchObject({
      customerId: 'C1',
      licensesPurchased: 10,
      termEnd: '2027-01-01',
    });
  });

  it('keeps quoted delimiters, and reports the physical line of a bad value after a quoted newline', async () => {
    // Prepare: line 2 holds a customer name with a comma and a newline (so the record spans lines 2-3);
    // the record on line 4 has a bad seat count.
    const text = [
      HEADER,
      csvLine({ customer_name: '"Atlas, Media\nGroup"' }),
      csvLine({ customer_id: 'C2', licenses_purchased: 'ten' }),
      csvLine({ customer_id: 'C3' }),
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(accepted(events).map((r) => r.customerName)).toEqual(['Atlas, Media\nGroup', 'Atlas Media']);
    expect(summary.rejected).toEqual([
      {
        line: 4,
        column: 'licenses_purchased',
        reason: 'expected a whole number of seats, 0 or more, got "ten"',
      },
    ]);
  });

  it('counts lines right with CRLF inside quoted cells', async () => {
    // Prepare
    const text = [
      HEADER,
      csvLine({ customer_name: '"A\r\nB\r\nC"' }),
      csvLine({ customer_id: 'C2', admin_email: 'nope' }),
    ].join('\r\n');

    // Act
    const { summary } = await readAll(text);

    // Assess
    expect(summary.rejected).toEqual([
      { line: 5, column: 'admin_email', reason: 'not a valid email address "nope"' },
    ]);
  });

  it('maps Microsoft Partner Center headers', async () => {
    // Prepare
    const text = [
      'customerId,customerName,Admin Email,Owner Email,productName,licensesSold,licensesDeployed,licensesActive,Term Start,Renewal Date',
      'T-1,Contoso,it@contoso.example,o@reseller.example,Microsoft 365 E3,50,45,40,2026-02-01,2027-02-01',
    ].join('\n');

    // Act
    const { events } = await readAll(text);

    // Assess
    expect(accepted(events)[0]).toMatchObject({
      customerId: 'T-1',
      product: 'Microsoft 365 E3',
      licensesPurchased: 50,
      licensesAssigned: 45,
      activeUsers: 40,
      termEnd: '2027-02-01',
    });
  });

  it('maps Adobe-style headers and a user mapping for the rest', async () => {
    // Prepare
    const text = [
      'VIP ID;Company Name;License Admin Email;Account Owner;SKU;Licenses;Assigned Seats;Active Seats;Start Date;Anniversary Date;Seats Owned',
      'V-9;Loire Studio;chloe@loire.example;o@reseller.example;Creative Cloud;12;10;9;2026-03-01;2027-03-01;99',
    ].join('\n');

    // Act
    const { events } = await readAll(text, {
      columnMapping: { 'Seats Owned': 'licenses_purchased', Licenses: 'admin_name' },
    });

    // Assess
    expect(accepted(events)[0]).toMatchObject({
      customerId: 'V-9',
      licensesPurchased: 99,
      adminName: '12',
      termEnd: '2027-03-01',
    });
  });

  it('rejects a file missing a required column as a whole, naming the column', async () => {
    // Prepare
    const text = [
      'customer_id,customer_name,admin_email,owner_email,product,licenses_purchased,active_users,term_start,term_end',
      'C1,A,a@a.example,o@r.example,P,1,1,2026-01-01,2027-01-01',
    ].join('\n');

    // Act
    const failure = await readAll(text).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SnapshotFileError);
    expect((failure as Error).message).toMatch(/^missing required column: licenses_assigned/);
  });

  it('rejects an empty file and a header-only file as unusable', async () => {
    await expect(readAll('')).rejects.toThrow('the file is empty');
    await expect(readAll('\uFEFF\r\n')).rejects.toThrow('the file is empty');
    await expect(readAll(`${HEADER}\n`)).rejects.toThrow('the file has a header but no rows');
  });

  it('collapses identical duplicates and rejects both lines of a conflicting duplicate', async () => {
    // Prepare
    const text = [
      HEADER,
      csvLine({ customer_id: 'C1' }),
      csvLine({ customer_id: 'C2' }),
      csvLine({ customer_id: 'C1' }),
      csvLine({ customer_id: 'C2', licenses_assigned: '9' }),
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(summary).toMatchObject({ rows: 4, accepted: 1, duplicates: 1 });
    expect(summary.rejected.map((r) => r.line)).toEqual([3, 5]);
    expect(summary.rejected[0]!.reason).toContain('conflicting duplicate');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'rejected',
        line: 3,
        revokes: { customerId: 'C2', lineKey: 'p:Acrobat Pro' },
      }),
    );
  });

  it('rejects an ambiguous date unless a date format is given', async () => {
    // Prepare
    const text = [HEADER, csvLine({ term_start: '03/04/2026', term_end: '03/04/2027' })].join('\n');

    // Act
    const strict = await readAll(text);
    const dayFirst = await readAll(text, { dateFormat: 'DD/MM/YYYY' });
    const monthFirst = await readAll(text, { dateFormat: 'MM/DD/YYYY' });

    // Assess
    expect(strict.summary.rejected[0]).toMatchObject({
      line: 2,
      column: 'term_start',
      reason: expect.stringContaining('ambiguous'),
    });
    expect(accepted(dayFirst.events)[0]?.termStart).toBe('2026-04-03');
    expect(accepted(monthFirst.events)[0]?.termStart).toBe('2026-03-04');
  });

  it('accepts 29 February only in leap years and rejects days a month does not have', async () => {
    // Prepare
    const text = [
      HEADER,
      csvLine({ customer_id: 'LEAP', term_start: '2028-02-29', term_end: '2029-02-28' }),
      csvLine({ customer_id: 'NOLEAP', term_start: '2027-02-29' }),
      csvLine({ customer_id: 'APRIL', term_end: '2027-04-31' }),
      csvLine({ customer_id: 'MONTH', term_end: '2027-13-01' }),
      csvLine({ customer_id: 'CENTURY', term_start: '2100-02-29', term_end: '2101-01-01' }),
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(accepted(events).map((row) => row.customerId)).toEqual(['LEAP']);
    expect(summary.rejected.map((r) => [r.line, r.column])).toEqual([
      [3, 'term_start'],
      [4, 'term_end'],
      [5, 'term_end'],
      [6, 'term_start'],
    ]);
  });

  it('accepts ISO timestamps and keeps active users above purchased seats', async () => {
    // Prepare
    const text = [HEADER, csvLine({ term_start: '2026-01-01T00:00:00Z', active_users: '14' })].join('\n');

    // Act
    const { events } = await readAll(text);

    // Assess
    expect(accepted(events)[0]).toMatchObject({
      termStart: '2026-01-01',
      activeUsers: 14,
      licensesPurchased: 10,
    });
  });

  it('rejects bad values with reasons: negative seats, term_end before term_start, locale, time zone', async () => {
    // Prepare
    const header = `${HEADER},locale,timezone`;
    const text = [
      header,
      `${csvLine({ customer_id: 'A', licenses_assigned: '-1' })},en,Europe/Paris`,
      `${csvLine({ customer_id: 'B', term_end: '2025-06-01' })},en,Europe/Paris`,
      `${csvLine({ customer_id: 'C' })},pt,Europe/Paris`,
      `${csvLine({ customer_id: 'D' })},EN,Mars/Olympus`,
      `${csvLine({ customer_id: 'E' })},DE,Europe/Berlin`,
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess
    expect(summary.rejected.map((r) => [r.line, r.column])).toEqual([
      [2, 'licenses_assigned'],
      [3, 'term_end'],
      [4, 'locale'],
      [5, 'timezone'],
    ]);
    expect(accepted(events)[0]).toMatchObject({ customerId: 'E', locale: 'de', timezone: 'Europe/Berlin' });
  });
});

describe('readSnapshot: snapshot date', () => {
  it('takes the snapshot_date column first, then the file name, then the upload date', async () => {
    // Prepare
    const withColumn = [
      `${HEADER},snapshot_date`,
      `${csvLine()},2026-11-18`,
      `${csvLine({ customer_id: 'C2' })},2026-11-19`,
    ].join('\n');
    const plain = [HEADER, csvLine()].join('\n');

    // Act
    const fromColumn = await readAll(withColumn);
    const fromName = await readAll(plain, { fileName: 'exports/licences-2026-11-17.csv' });
    const fromUpload = await readAll(plain, { fileName: 'licences.csv', uploadDate: '2026-11-16' });

    // Assess
    expect(fromColumn.summary.snapshotDate).toBe('2026-11-18');
    expect(fromColumn.summary.rejected).toEqual([
      {
        line: 3,
        column: 'snapshot_date',
        reason: "snapshot_date 2026-11-19 differs from the file's snapshot date 2026-11-18",
      },
    ]);
    expect(fromName.summary.snapshotDate).toBe('2026-11-17');
    expect(fromUpload.summary.snapshotDate).toBe('2026-11-16');
  });
});

describe('readSnapshot: JSON and NDJSON', () => {
  const good = {
    customer_id: 'C1',
    customerName: 'Atlas',
    admin_email: 'a@atlas.example',
    owner_email: 'o@reseller.example',
    product: 'P',
    licenses_purchased: 5,
    licenses_assigned: '4',
    active_users: 3,
    term_start: '2026-01-01',
    term_end: '2027-01-01',
  };

  it('reads a JSON array and names a bad element by its index + 1', async () => {
    // Prepare
    const text = JSON.stringify(
      [good, { ...good, customer_id: 'C2', licenses_purchased: 2.5 }, { ...good, customer_id: 'C3' }],
      null,
      2,
    );

    // Act
    const { summary } = await readAll(text, { fileName: '2026-11-20.json' });

    // Assess
    expect(summary).toMatchObject({ format: 'json', rows: 3, accepted: 2 });
    expect(summary.rejected).toEqual([
      {
        line: 2,
        column: 'licenses_purchased',
        reason: 'expected a whole number of seats, 0 or more, got 2.5',
      },
    ]);
  });

  it('reads NDJSON, naming the physical line of a bad row', async () => {
    // Prepare
    const text = [
      JSON.stringify(good),
      '',
      '{"customer_id": "C2", broken',
      JSON.stringify({ ...good, customer_id: 'C3' }),
    ].join('\n');

    // Act
    const { summary } = await readAll(text, { fileName: '2026-11-20.ndjson' });

    // Assess
    expect(summary).toMatchObject({ format: 'ndjson', rows: 3, accepted: 2 });
    expect(summary.rejected).toEqual([
      { line: 3, column: null, reason: expect.stringMatching(/^invalid JSON/) },
    ]);
  });

  it('rejects JSON that is not a table, and an unfinished array', async () => {
    await expect(readAll('{"customer_id": "C1"}', { fileName: 'x-2026-11-20.json' })).rejects.toThrow(
      /not a table/,
    );
    await expect(readAll(`[${JSON.stringify(good)},`, { fileName: 'x-2026-11-20.json' })).rejects.toThrow(
      /not closed/,
    );
    await expect(readAll('[]', { fileName: 'x-2026-11-20.json' })).rejects.toThrow(/no rows/);
  });

  it('tells the format from the content when the name says nothing', async () => {
    // Act
    const { summary } = await readAll(JSON.stringify([good]), { fileName: 'export-2026-11-20' });

    // Assess
    expect(summary).toMatchObject({ format: 'json', accepted: 1 });
  });
});

describe('readSnapshot: optional facts', () => {
  it('reads an empty active_users as unknown and an empty term_end as a monthly line', async () => {
    // Prepare
    const text = [
      `${HEADER},subscription_id,auto_renew,product_name`,
      `${csvLine({ active_users: '', term_end: '' })},S-1,Yes,Adobe Acrobat Pro`,
      `${csvLine({ active_users: '4' })},S-2,Disabled,`,
    ].join('\n');

    // Act
    const { summary, events } = await readAll(text);

    // Assess: two subscriptions of one product are two lines
    expect(summary).toMatchObject({ rows: 2, accepted: 2, rejected: [] });
    expect(accepted(events)).toMatchObject([
      {
        activeUsers: null,
        termEnd: null,
        subscriptionId: 'S-1',
        autoRenew: true,
        productName: 'Adobe Acrobat Pro',
      },
      { activeUsers: 4, termEnd: '2027-01-01', subscriptionId: 'S-2', autoRenew: false },
    ]);
  });

  it('rejects an auto_renew value that is neither yes nor no', async () => {
    // Act
    const { summary } = await readAll([`${HEADER},auto_renew`, `${csvLine()},maybe`].join('\n'));

    // Assess
    expect(summary.rejected).toEqual([
      {
        line: 2,
        column: 'auto_renew',
        reason: 'expected yes or no (true/false, enabled/disabled, on/off), got "maybe"',
      },
    ]);
  });
});
