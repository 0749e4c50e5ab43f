import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import { capture } from '../../helpers/cliIo';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-contacts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXAMPLE = join('examples', 'partner-center-insights-seats');

describe('a vendor export with the contacts directory', () => {
  it('replays Partner Center insights exports with no contact columns and welcomes the admin the directory names', async () => {
    // Prepare: four nights of the example export as it comes (no mapping), Contoso's term starting on the first
    const snapshots = join(dir, 'partner-center');
    await mkdir(snapshots);
    const body = await readFile(join(EXAMPLE, '2026-03-02.csv'));
    for (const day of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19'])
      await writeFile(join(snapshots, `${day}.csv`), body);
    const out = join(dir, 'partner-center-out');
    const io = capture();

    // Act
    const code = await main(
      ['simulate', '--snapshots', snapshots, '--out', out, '--contacts', join(EXAMPLE, 'contacts.csv')],
      io,
    );

    // Assess
    expect(code, io.stderr).toBe(0);
    const events = (await readFile(join(out, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.filter((e) => e.kind === 'ingest').every((e) => e.accepted === 3 && e.rejected === 0)).toBe(
      true,
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'email',
        template: 'welcome',
        customerId: '7c1e5a1e-2b0c-4d1e-9f5e-000000000001',
        to: 'it-licensing@contoso-pharma.example',
        locale: 'de',
      }),
    );
    // Fabrikam's admin is named nowhere: no email goes to anyone for it.
    expect(
      events.filter((e) => e.kind === 'email' && e.customerId === '3d2b8f0a-5c6e-4a7b-8c9d-000000000002'),
    ).toEqual([]);
  }, 120_000);

  it('without the directory, every customer is rejected for want of an owner unless defaultOwnerEmail is set', async () => {
    // Prepare
    const snapshots = join(dir, 'no-directory');
    await mkdir(snapshots);
    await writeFile(join(snapshots, '2026-02-16.csv'), await readFile(join(EXAMPLE, '2026-03-02.csv')));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ defaultOwnerEmail: 'desk@reseller.example' }));

    // Act
    const bare = await main(
      ['simulate', '--snapshots', snapshots, '--out', join(dir, 'bare-out')],
      capture(),
    );
    const owned = await main(
      ['simulate', '--snapshots', snapshots, '--out', join(dir, 'owned-out'), '--config', config],
      capture(),
    );

    // Assess
    expect(bare).toBe(1);
    expect(owned).toBe(0);
    const events = (await readFile(join(dir, 'owned-out', 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.find((e) => e.kind === 'ingest')).toMatchObject({ accepted: 3, rejected: 0 });
  }, 180_000);
});
