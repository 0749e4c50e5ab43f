import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inHoldout } from '../../../lambdas/domain/engine/holdout';
import { DEFAULT_PLAYBOOK, type Playbook } from '../../../lambdas/domain/playbook/playbook';
import { runSimulation } from '../../../local/simulation';

// A 20 % holdout on the renewal play, replayed locally: held-out customers get the renewal tasks and none of
// its emails, and the report and summary.json compare the two groups.

type Event = Record<string, unknown> & { at: string; kind: string; customerId?: string; play?: string };

const OUT = join(tmpdir(), `clm-holdout-${process.pid}`);
const PLAYBOOK: Playbook = {
  plays: DEFAULT_PLAYBOOK.plays.map((p) => (p.id === 'renewal' ? { ...p, holdoutPercent: 20 } : p)),
};
let events: Event[];

beforeAll(async () => {
  await runSimulation({
    source: { kind: 'generated', customers: 60, days: 100, seed: 42, start: '2026-01-05' },
    out: OUT,
    playbook: PLAYBOOK,
  });
  events = (await readFile(join(OUT, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Event);
}, 600_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

const heldOut = (customerId: unknown) => inHoldout(String(customerId), 'renewal', 20);
const renewal = (kind: string) => events.filter((e) => e.kind === kind && e.play === 'renewal');

describe('a renewal holdout of 20 % in a local run', () => {
  it('sends held-out customers none of the renewal emails, and records each one held out instead', () => {
    // Act
    const opened = renewal('case-opened');
    const emails = renewal('email');
    const held = renewal('held-out');

    // Assess: both groups exist, and the emails went only to the emailed one
    expect(opened.some((e) => heldOut(e.customerId))).toBe(true);
    expect(opened.some((e) => !heldOut(e.customerId))).toBe(true);
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.filter((e) => heldOut(e.customerId))).toEqual([]);
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((e) => !heldOut(e.customerId))).toEqual([]);
    for (const e of held)
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
  });

  it('still gives held-out customers the renewal tasks', () => {
    // Act
    const tasks = renewal('task').filter((e) => heldOut(e.customerId));
    const heldCustomers = new Set(renewal('held-out').map((e) => e.customerId));

    // Assess
    expect(tasks.length).toBeGreaterThan(0);
    for (const customer of heldCustomers) expect(tasks.some((t) => t.customerId === customer)).toBe(true);
  });

  it('sends exactly the emails the events record: nothing for the held-out steps', async () => {
    // Act
    const files = await readdir(join(OUT, 'mail'));
    const sent = events.filter((e) => e.kind === 'email' || e.kind === 'digest');

    // Assess
    expect(files).toHaveLength(sent.length);
  });

  it('compares the groups in summary.json and in the report', async () => {
    // Act
    const summary = JSON.parse(await readFile(join(OUT, 'summary.json'), 'utf8'));
    const report = await readFile(join(OUT, 'index.html'), 'utf8');

    // Assess
    const cases = renewal('case-opened');
    const resolvedIds = new Set(renewal('case-resolved').map((e) => e.caseId));
    const group = (held: boolean) => cases.filter((e) => heldOut(e.customerId) === held);
    const resolvedIn = (held: boolean) => group(held).filter((e) => resolvedIds.has(e.caseId)).length;
    expect(summary.holdouts).toEqual([
      {
        play: 'renewal',
        holdoutPercent: 20,
        emailed: expect.objectContaining({ cases: group(false).length, resolved: resolvedIn(false) }),
        heldOut: expect.objectContaining({ cases: group(true).length, resolved: resolvedIn(true) }),
        enoughCases: false,
      },
    ]);
    expect(summary.heldOutByPlay.renewal).toBe(renewal('held-out').length);
    expect(summary.outcomesByPlay.renewal.casesOpened).toBe(cases.length);
    expect(report).toContain('Holdout groups: do the emails help?');
    expect(report).toContain('held out (20 %)');
    expect(report).toMatch(/renewal<\/b>: too few cases to tell yet \(\d+ emailed, \d+ held out/);
  });
});
