import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhaseClock } from '../../../local/phaseClock';
import { runSimulation, type SimulationStats } from '../../../local/simulation';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-split-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const newStats = (): SimulationStats => ({
  ingestWrites: 0,
  ingestReads: 0,
  rowsIngested: 0,
  evaluationReads: 0,
  customersEvaluated: 0,
  phases: { setup: 0, ingest: 0, evaluate: 0, steps: 0, digests: 0, reactions: 0, outbox: 0 },
  phaseTimes: new PhaseClock().times,
});

describe('a simulation with split nights', () => {
  it('decides, sends and records exactly what the same run evaluated whole does', async () => {
    // Prepare: six weeks of a 40-customer portfolio, once whole, once in shards of about 10 customers
    const source = { kind: 'generated', customers: 40, days: 42, seed: 11, start: '2026-03-02' } as const;
    const whole = { out: join(dir, 'whole'), stats: newStats() };
    const split = { out: join(dir, 'split'), stats: newStats() };

    // Act
    const wholeSummary = await runSimulation({ source, out: whole.out, stats: whole.stats });
    const splitSummary = await runSimulation({
      source,
      out: split.out,
      stats: split.stats,
      customersPerShard: 10,
    });

    // Assess: the same events, line for line, and as many customer evaluations either way
    const events = async (out: string) => readFile(join(out, 'events.jsonl'), 'utf8');
    expect(await events(split.out)).toEqual(await events(whole.out));
    // the same summary; only the shard workers ran besides the nightly function
    const { invocations: splitRuns, ...splitRest } = splitSummary;
    const { invocations: wholeRuns, ...wholeRest } = wholeSummary;
    expect(splitRest).toEqual(wholeRest);
    expect(wholeRuns.evaluateShard).toBeUndefined();
    expect(splitRuns.evaluateShard).toBeGreaterThan(0);
    expect(wholeSummary.emailsByPlay).not.toEqual({});
    expect(split.stats.customersEvaluated).toBe(whole.stats.customersEvaluated);
    expect(whole.stats.customersEvaluated).toBeGreaterThan(40 * 20);
  }, 120_000);
});
