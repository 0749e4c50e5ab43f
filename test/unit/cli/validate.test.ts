import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import { capture } from '../../helpers/cliIo';
import { csvLine, HEADER } from '../../helpers/snapshotFiles';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('clm validate', () => {
  it('exits 0 and prints a summary when every row is valid', async () => {
    // Prepare
    const path = await file('2026-11-20.csv', `${HEADER}\n${csvLine()}\n`);
    const io = capture();

    // Act
    const code = await main(['validate', path], io);

    // Assess
    expect(code).toBe(0);
    expect(io.stdout).toContain('1 rows, 1 accepted, 0 rejected');
  });

  it('exits 1 and prints the contract JSON when some rows are rejected', async () => {
    // Prepare
    const path = await file(
      'bad-rows-2026-11-20.csv',
      `${HEADER}\n${csvLine()}\n${csvLine({ customer_id: 'C2', owner_email: 'x' })}\n`,
    );
    const io = capture();

    // Act
    const code = await main(['validate', path, '--json'], io);

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(io.stdout)).toEqual({
      file: path,
      rows: 2,
      accepted: 1,
      rejected: [{ line: 3, column: 'owner_email', reason: 'not a valid email address "x"' }],
    });
  });

  it('exits 2 and names the missing column when the file is unusable', async () => {
    // Prepare
    const path = await file('no-term-2026-11-20.csv', `${HEADER.replace(',term_start', '')}\n`);
    const io = capture();

    // Act
    const code = await main(['validate', path, '--json'], io);

    // Assess
    expect(code).toBe(2);
    const report = JSON.parse(io.stdout);
    expect(report).toMatchObject({ file: path, rows: 0, accepted: 0, rejected: [] });
    expect(report.error).toMatch(/missing required column: term_start/);
  });

  it('exits 2 for a file that does not exist, and for an empty one', async () => {
    // Prepare
    const empty = await file('empty.csv', '');
    const io = capture();

    // Act
    const missing = await main(['validate', join(dir, 'nope.csv')], io);
    const blank = await main(['validate', empty], io);

    // Assess
    expect([missing, blank]).toEqual([2, 2]);
    expect(io.stderr).toContain('nope.csv: no such file');
    expect(io.stderr).toContain('empty.csv: the file is empty');
  });

  it('applies --date-format and --mapping', async () => {
    // Prepare
    const path = await file(
      '2026-11-20-custom.csv',
      `${HEADER.replace('licenses_purchased', 'Seats Owned')}\n${csvLine({ term_start: '31/01/2026' })}\n`,
    );
    const mapping = await file('mapping.json', JSON.stringify({ 'Seats Owned': 'licenses_purchased' }));
    const io = capture();

    // Act
    const code = await main(
      ['validate', path, '--date-format', 'DD/MM/YYYY', '--mapping', mapping, '--json'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ accepted: 1, rejected: [] });
  });

  it('prints help for the command and for clm itself', async () => {
    // Prepare
    const io = capture();

    // Act
    const codes = [
      await main(['validate', '--help'], io),
      await main(['--help'], io),
      await main(['validate'], io),
    ];

    // Assess
    expect(codes).toEqual([0, 0, 2]);
    expect(io.stdout).toContain('Usage: clm validate FILE');
    expect(io.stdout).toContain('validate');
    expect(io.stderr).toContain('give exactly one FILE');
  });
});
