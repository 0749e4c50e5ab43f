import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import type { CliIo } from '../../../cli/command';
import { generateSamplePortfolio, snapshotRowsOn, toCsv } from '../../../local/samplePortfolio';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-simulate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

const quiet: CliIo = { out: () => {}, err: () => {} };

async function eventsOf(out: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(out, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('clm simulate', () => {
  it('replays a folder of daily files and writes the events.jsonl contract, in time order', async () => {
    // Prepare: three weeks of exports of a small generated portfolio, as a user would have them
    const snapshots = join(dir, 'snapshots');
    const out = join(dir, 'out-folder');
    await (await import('node:fs/promises')).mkdir(snapshots, { recursive: true });
    const customers = generateSamplePortfolio({ customers: 12, seed: 7, start: '2026-03-02' });
    for (let d = 0; d < 21; d++) {
      const date = new Date(Date.UTC(2026, 2, 2 + d)).toISOString().slice(0, 10);
      await writeFile(join(snapshots, `${date}.csv`), toCsv(snapshotRowsOn(customers, date)));
    }

    // Act
    const code = await main(['simulate', '--snapshots', snapshots, '--out', out], quiet);

    // Assess
    expect(code).toBe(0);
    const events = await eventsOf(out);
    expect(events.filter((e) => e.kind === 'ingest')).toHaveLength(21);
    const ats = events.map((e) => String(e.at));
    expect([...ats].sort()).toEqual(ats);
    for (const e of events) {
      expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      if (e.kind === 'email')
        expect(Object.keys(e).sort()).toEqual([
          'at',
          'caseId',
          'customerId',
          'kind',
          'locale',
          'play',
          'template',
          'to',
          'variant',
        ]);
      if (e.kind === 'task')
        expect(Object.keys(e).sort()).toEqual([
          'at',
          'caseId',
          'customerId',
          'kind',
          'level',
          'play',
          'task',
          'to',
        ]);
      if (e.kind === 'digest') expect(Object.keys(e).sort()).toEqual(['at', 'items', 'kind', 'level', 'to']);
      if (e.kind === 'case-opened' || e.kind === 'case-resolved')
        expect(Object.keys(e).sort()).toEqual(['at', 'caseId', 'customerId', 'kind', 'play']);
    }
    expect(events.some((e) => e.kind === 'email')).toBe(true);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ days: 21, customers: expect.any(Number) });
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('Local run: 21 nights');
    // Every email on a customer's journey page links to the HTML of exactly that email.
    const emails = events.filter((e) => e.kind === 'email');
    for (const id of new Set(emails.map((e) => String(e.customerId)))) {
      const journey = await readFile(join(out, 'customers', `${id}.html`), 'utf8');
      const links = [...journey.matchAll(/class="email" href="\.\.\/(mail\/[^"]+)"/g)].map((m) => m[1]!);
      const mine = emails.filter((e) => e.customerId === id);
      expect(links).toHaveLength(mine.length);
      for (const [i, e] of mine.entries()) {
        expect(links[i]).toContain(`-${String(e.at).slice(0, 10)}-${slug(String(e.to))}-`);
        expect(await readFile(join(out, links[i]!), 'utf8')).toContain('</html>');
      }
    }
  }, 120_000);

  it('is deterministic for a seed', async () => {
    // Act
    const a = join(dir, 'seed-a');
    const b = join(dir, 'seed-b');
    await main(
      ['simulate', '--customers', '10', '--days', '20', '--seed', '3', '--start', '2026-04-06', '--out', a],
      quiet,
    );
    await main(
      ['simulate', '--customers', '10', '--days', '20', '--seed', '3', '--start', '2026-04-06', '--out', b],
      quiet,
    );

    // Assess
    expect(await readFile(join(a, 'events.jsonl'), 'utf8')).toBe(
      await readFile(join(b, 'events.jsonl'), 'utf8'),
    );
  }, 120_000);

  it('explains bad arguments', async () => {
    // Prepare
    const errors: string[] = [];

    // Act
    const code = await main(
      ['simulate', '--customers', 'ten', '--days', '5', '--seed', '1', '--out', join(dir, 'x')],
      { out: () => {}, err: (t) => errors.push(t) },
    );

    // Assess
    expect(code).toBe(2);
    expect(errors.join('\n')).toContain('--customers must be a whole number above 0');
  });
});
