import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../../lambdas/shared/environment';
import { runSimulation } from '../../../local/simulation';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-every-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a short local run', () => {
  it('runs every function handler, and counts what recipients did', async () => {
    // Prepare: 30 customers over 40 nights, split into shards once the portfolio passes 20 customers
    const out = join(dir, 'run');

    // Act
    const summary = await runSimulation({
      source: { kind: 'generated', customers: 30, days: 40, seed: 42, start: '2026-01-05' },
      out,
      customersPerShard: 20,
    });

    // Assess: each handler ran, with the events AWS sends it
    for (const name of FUNCTION_NAMES) expect(summary.invocations[name] ?? 0, name).toBeGreaterThan(0);
    expect(summary.invocations.ingest).toBe(40);
    expect(summary.invocations.evaluate).toBe(40);
    // a hard bounce, a complaint and a one-click unsubscribe, each suppressing its address
    expect(summary).toMatchObject({
      bounces: expect.any(Number),
      complaints: 1,
      unsubscribes: expect.any(Number),
    });
    expect(summary.bounces).toBeGreaterThan(0);
    expect(summary.unsubscribes).toBeGreaterThan(0);
    const written = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(written).toMatchObject({
      bounces: summary.bounces,
      complaints: 1,
      unsubscribes: summary.unsubscribes,
    });
    // and the ingest function recorded each night's file
    const events = (await readFile(join(out, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.kind === 'ingest')).toHaveLength(40);
  }, 240_000);
});
