import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import type { CliIo } from '../../../cli/command';
import { DEFAULT_PLAYBOOK } from '../../../lambdas/domain/playbook/playbook';

// Before go-live: the default playbook against a variant that opens activation only below 25 % utilization
// instead of 60 % (the sample's low-usage customers sit between 20 and 30 %, so the threshold splits them),
// compared in one command and checked against two separate runs of the same portfolio.

type Event = { kind: string; play?: string; level?: number; customerId?: string };

let dir: string;
const quiet: CliIo = { out: () => {}, err: () => {} };
const PORTFOLIO = ['--customers', '40', '--days', '90', '--seed', '42', '--start', '2026-01-05'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-compare-'));
  const variant = {
    plays: DEFAULT_PLAYBOOK.plays.map((p) =>
      p.id === 'activation'
        ? { ...p, when: p.when.map((c) => (c.metric === 'utilizationPct' ? { ...c, value: 25 } : c)) }
        : p,
    ),
  };
  await writeFile(join(dir, 'mine.json'), JSON.stringify(variant));
  const run = async (args: string[]) =>
    expect(await main(['simulate', ...PORTFOLIO, ...args], quiet)).toBe(0);
  await run([
    '--out',
    join(dir, 'compare'),
    '--playbook',
    join(dir, 'mine.json'),
    '--compare-with',
    'default',
  ]);
  await run(['--out', join(dir, 'default')]);
  await run(['--out', join(dir, 'mine'), '--playbook', join(dir, 'mine.json')]);
}, 900_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function eventsOf(out: string): Promise<Event[]> {
  return (await readFile(join(out, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Event);
}

/** The figure compare.html shows for a play, a measure and a side. */
function shown(html: string, play: string, measure: string, side: 'yours' | 'baseline'): number {
  const match = html.match(
    new RegExp(`data-play="${play}" data-measure="${measure}" data-side="${side}">([^<]*)<`),
  );
  if (!match) throw new Error(`compare.html shows no ${measure} of ${play} (${side})`);
  return Number(match[1]);
}

const count = (events: Event[], play: string, kind: string, level?: number) =>
  events.filter((e) => e.kind === kind && e.play === play && (level === undefined || e.level === level))
    .length;

describe('clm simulate --compare-with', () => {
  it('shows per play the figures of two separate runs, side by side', async () => {
    // Act
    const html = await readFile(join(dir, 'compare', 'compare.html'), 'utf8');
    const runs = { baseline: await eventsOf(join(dir, 'default')), yours: await eventsOf(join(dir, 'mine')) };

    // Assess
    for (const side of ['baseline', 'yours'] as const) {
      for (const play of ['activation', 'renewal', 'active-use']) {
        expect({ play, side, emails: shown(html, play, 'emails', side) }).toEqual({
          play,
          side,
          emails: count(runs[side], play, 'email'),
        });
        expect(shown(html, play, 'tasks', side)).toBe(count(runs[side], play, 'task', 1));
        expect(shown(html, play, 'escalations', side)).toBe(count(runs[side], play, 'task', 2));
        expect(shown(html, play, 'resolutions', side)).toBe(count(runs[side], play, 'case-resolved'));
      }
    }
  });

  it('shows fewer activation emails and tasks under the lower threshold', async () => {
    // Act
    const html = await readFile(join(dir, 'compare', 'compare.html'), 'utf8');

    // Assess
    expect(shown(html, 'activation', 'emails', 'yours')).toBeLessThan(
      shown(html, 'activation', 'emails', 'baseline'),
    );
    expect(shown(html, 'activation', 'tasks', 'yours')).toBeLessThan(
      shown(html, 'activation', 'tasks', 'baseline'),
    );
  });

  it('replays exactly what the separate runs do, and lists the customers whose journeys differ', async () => {
    // Act
    const html = await readFile(join(dir, 'compare', 'compare.html'), 'utf8');
    const baseline = await eventsOf(join(dir, 'default'));
    const yours = await eventsOf(join(dir, 'mine'));

    // Assess
    expect(await eventsOf(join(dir, 'compare'))).toEqual(yours);
    expect(await eventsOf(join(dir, 'compare', 'baseline'))).toEqual(baseline);
    const activated = (events: Event[]) =>
      new Set(
        events.filter((e) => e.kind === 'case-opened' && e.play === 'activation').map((e) => e.customerId),
      );
    const onlyUnderDefault = [...activated(baseline)].filter((id) => !activated(yours).has(id));
    expect(onlyUnderDefault.length).toBeGreaterThan(0);
    for (const id of onlyUnderDefault) expect(html).toContain(`href="customers/${id}.html"`);
    expect(html).toContain('href="baseline/index.html"');
  });
});
