import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import { readSnapshot } from '../../../lambdas/domain/snapshot/reader';
import { parseReadingSettings } from '../../../lambdas/domain/snapshot/readingSettings';
import { lineKeyOf, type SnapshotRow } from '../../../lambdas/domain/snapshot/snapshotRow';
import { capture } from '../../helpers/cliIo';
import { IngestHarness } from '../../helpers/ingestHarness';

// The README's "Bring your exports": every example under examples/ is a vendor export as it comes, read by its
// preset (recognised from the header row) with the contacts the export lacks given as mapping constants.

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

async function exampleOf(preset: string): Promise<{ file: string; mapping: string }> {
  const names = await readdir(join(EXAMPLES, preset));
  const file = names.find((name) => /^\d{4}-\d{2}-\d{2}\./.test(name))!;
  return { file: join(EXAMPLES, preset, file), mapping: join(EXAMPLES, preset, 'mapping.json') };
}

async function rowsOf(preset: string) {
  const { file, mapping } = await exampleOf(preset);
  const reading = parseReadingSettings(
    { columnMapping: JSON.parse(await readFile(mapping, 'utf8')) },
    mapping,
  );
  async function* bytes() {
    yield await readFile(file);
  }
  const reader = readSnapshot(bytes(), { fileName: file, ...reading });
  // The lines as ingestion keeps them: a row withdrawn for a later one of its subscription is gone.
  const lines = new Map<string, SnapshotRow>();
  for (;;) {
    const next = await reader.next();
    if (next.done) return [...lines.values()];
    for (const event of next.value) {
      if (event.type === 'row') lines.set(`${event.row.customerId} ${lineKeyOf(event.row)}`, event.row);
      if (event.type === 'withdrawn') lines.delete(`${event.customerId} ${event.lineKey}`);
    }
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-exports-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/: one export per vendor', () => {
  it('has an example for every preset, and each validates with exit 0, recognised from its header row', async () => {
    // Prepare
    const { PRESET_NAMES } = await import('../../../lambdas/domain/snapshot/presets');
    expect((await readdir(EXAMPLES)).sort()).toEqual([...PRESET_NAMES].sort());

    for (const preset of PRESET_NAMES) {
      const { file, mapping } = await exampleOf(preset);
      const io = capture();

      // Act
      const code = await main(['validate', file, '--mapping', mapping, '--json'], io);

      // Assess
      const report = JSON.parse(io.stdout);
      expect({ preset, code, rejected: report.rejected, error: report.error }).toEqual({
        preset,
        code: 0,
        rejected: [],
        error: undefined,
      });
      expect(report.accepted).toBeGreaterThan(0);
      expect(io.stderr).toContain(`read as ${preset}`);
    }
  });

  it('reads the vendor facts each export carries', async () => {
    // Partner Center insights: one row per subscription and month, the latest month is the line
    expect(await rowsOf('partner-center-insights-seats')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subscriptionId: 'a1f3c2d4-0001-4e5f-9a7b-100000000001',
          licensesAssigned: 18,
          activeUsers: null,
          termStart: '2026-02-16',
          termEnd: '2027-02-15',
          autoRenew: true,
          productName: 'Microsoft 365 E3 (annual)',
        }),
      ]),
    );
    expect((await rowsOf('partner-center-insights-usage'))[0]).toMatchObject({ activeUsers: 15 });
    // PowerShell: a #TYPE line, a monthly line without a commitment end
    expect((await rowsOf('partner-center-subscriptions')).map((r) => r.termEnd)).toEqual([
      '2027-02-19',
      null,
    ]);
    // Adobe: the anniversary date ends a one-year term; auto-renewal nested in JSON
    expect((await rowsOf('adobe-vip-subscriptions'))[0]).toMatchObject({
      termStart: '2025-03-10',
      termEnd: '2026-03-10',
      autoRenew: true,
      licensesAssigned: 6,
    });
    // Distributor report: 10.0 seats, "-" for empty, the Adobe user as admin
    expect((await rowsOf('distributor-adobe-assets'))[0]).toMatchObject({
      licensesPurchased: 10,
      adminEmail: 'admin@wingtip.example',
      autoRenew: true,
    });
    // DSLS: one feature on two licence models is two lines
    expect((await rowsOf('dassault-dsls-usage')).map((r) => r.subscriptionId)).toEqual([
      'MD2 · NamedUser',
      'MD2 · ConcurrentUser',
      'SW-PRO · NamedUser',
    ]);
    // Pax8: the commitment's end is the renewal date; a subscription without commitment is monthly
    expect((await rowsOf('pax8-subscriptions')).map((r) => r.termEnd)).toEqual(['2027-02-22', null]);
  });
});

describe('the deployed ingest function', () => {
  it('reads every example as clm validate does, with the same reading settings', async () => {
    // Prepare: the ingest handler built by its composition root, on dynalite and s3rver
    const { PRESET_NAMES } = await import('../../../lambdas/domain/snapshot/presets');
    const harness = await IngestHarness.start();
    try {
      for (const preset of PRESET_NAMES) {
        const { file, mapping } = await exampleOf(preset);
        const columnMapping = JSON.parse(await readFile(mapping, 'utf8'));
        const io = capture();
        await main(['validate', file, '--mapping', mapping, '--json'], io);
        const validated = JSON.parse(io.stdout);
        const record = await harness.upload(`snapshots/${preset}-${basename(file)}`, await readFile(file));

        // Act
        const [outcome] = await harness.ingest(record, undefined, { reading: { columnMapping } });

        // Assess
        expect(outcome, preset).toMatchObject({
          status: 'ingested',
          record: { accepted: validated.accepted, rejectedCount: validated.rejected.length },
        });
      }
    } finally {
      await harness.close();
    }
  }, 120_000);
});

describe('clm simulate with your own exports', () => {
  it('replays daily Pax8 exports and sends the welcome email for a new subscription', async () => {
    // Prepare: four nights of the Pax8 example, a new annual subscription started on the first
    const { file, mapping } = await exampleOf('pax8-subscriptions');
    const snapshots = join(dir, 'pax8');
    await import('node:fs/promises').then((fs) => fs.mkdir(snapshots));
    const body = await readFile(file, 'utf8');
    for (const day of ['2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26'])
      await writeFile(join(snapshots, `${day}.json`), body);
    const out = join(dir, 'pax8-out');
    const io = capture();

    // Act
    const code = await main(['simulate', '--snapshots', snapshots, '--out', out, '--mapping', mapping], io);

    // Assess
    expect(code, io.stderr).toBe(0);
    const events = (await readFile(join(out, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.filter((e) => e.kind === 'ingest')).toHaveLength(4);
    expect(events.filter((e) => e.kind === 'ingest').every((e) => e.accepted === 2 && e.rejected === 0)).toBe(
      true,
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'email',
        template: 'welcome',
        customerId: 'e5f7a6b8-0001-4c9d-8e1f-000000000006',
        to: 'admin@relecloud.example',
      }),
    );
  }, 120_000);

  it('exits 1 when every snapshot file was rejected', async () => {
    // Prepare: the same exports without the contacts they need
    const { file } = await exampleOf('pax8-subscriptions');
    const snapshots = join(dir, 'no-contacts');
    await import('node:fs/promises').then((fs) => fs.mkdir(snapshots));
    await writeFile(join(snapshots, '2026-02-23.json'), await readFile(file));
    const io = capture();

    // Act
    const code = await main(
      ['simulate', '--snapshots', snapshots, '--out', join(dir, 'no-contacts-out')],
      io,
    );

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/every snapshot file was rejected/);
  }, 120_000);
});

describe('clm options', () => {
  it('answers an unknown option with one line and the usage, exit 2', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['validate', 'x.csv', '--colum-mapping', 'm.json'], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr.split('\n')[0]).toBe("clm validate: Unknown option '--colum-mapping'");
    expect(io.stderr).toContain('Usage: clm validate FILE');
  });

  it('names the preset choices when --preset names none of them', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['validate', 'x.csv', '--preset', 'pax9', '--json'], io);

    // Assess
    expect(code).toBe(2);
    expect(JSON.parse(io.stdout).error).toMatch(
      /^reading settings: preset: use one of partner-center-insights-seats/,
    );
  });
});
