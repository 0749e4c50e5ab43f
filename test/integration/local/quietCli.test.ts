import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/clm';
import type { CliIo } from '../../../cli/command';
import { logger } from '../../../lambdas/shared/logger';

// `clm simulate` in a terminal: a progress line and the summary, the handlers' JSON log lines only on request.

let dir: string;
const levelInTests = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-quiet-'));
  // As a user's shell has it: no log level in the environment, the logger at its default.
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.LOG_LEVEL;
});
afterAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = levelInTests;
  await rm(dir, { recursive: true, force: true });
});

/** Everything the command printed: through its io and straight to the process's streams. */
async function simulate(args: string[]): Promise<{ code: number; lines: string[] }> {
  logger.setLogLevel('INFO');
  const printed: string[] = [];
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const io: CliIo = { out: (text) => printed.push(`${text}\n`), err: (text) => printed.push(`${text}\n`) };
  try {
    const code = await main(['simulate', '--customers', '8', '--days', '12', '--seed', '5', ...args], io);
    return {
      code,
      lines: printed
        .join('')
        .split(/[\r\n]+/)
        .filter(Boolean),
    };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const jsonLines = (lines: string[]) => lines.filter((l) => l.trimStart().startsWith('{'));

describe('clm simulate output', () => {
  it('shows progress and the summary table, and no log lines without --verbose', async () => {
    // Act
    const { code, lines } = await simulate(['--out', join(dir, 'quiet')]);

    // Assess
    expect(code).toBe(0);
    expect(jsonLines(lines)).toEqual([]);
    expect(lines.some((l) => /night 12\/12 2026-01-16 · \d+ s elapsed/.test(l))).toBe(true);
    expect(lines.some((l) => /^nights replayed\s+12$/.test(l))).toBe(true);
    expect(lines.some((l) => /^cases opened\s+\d+$/.test(l))).toBe(true);
  }, 120_000);

  it('prints the handlers’ log lines with --verbose', async () => {
    // Act
    const { code, lines } = await simulate(['--out', join(dir, 'verbose'), '--verbose']);

    // Assess
    expect(code).toBe(0);
    const logged = jsonLines(lines).map((l) => JSON.parse(l) as { message: string });
    expect(logged.filter((l) => l.message === 'snapshot ingested')).toHaveLength(12);
  }, 120_000);
});
