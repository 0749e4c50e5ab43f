// `npm start`: a generated portfolio of about 150 customers replayed over 400 nights through the real pipeline on
// local emulators. Writes out/demo/ (events.jsonl, summary.json, every email and digest, index.html).
import { fileURLToPath } from 'node:url';
import { phaseTable } from './phaseClock';
import { runSimulation, type SimulationStats, type SimulationSummary } from './simulation';

const seconds = (ms: number) =>
  ms >= 90_000
    ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
    : `${Math.round(ms / 1000)} s`;

/** "night 120/400 2026-05-04 · 35 s elapsed · about 80 s left": the estimate from the pace so far. */
export function progressLine(done: number, total: number, day: string, elapsedMs: number): string {
  const left =
    done > 0 && done < total ? ` · about ${seconds((elapsedMs / done) * (total - done))} left` : '';
  return `night ${done}/${total} ${day} · ${seconds(elapsedMs)} elapsed${left}`;
}

/** A progress bar on a terminal; a line every 50 nights when the output goes to a file or pipe. */
export function progressReporter(stream: NodeJS.WriteStream = process.stdout) {
  const started = Date.now();
  return (done: number, total: number, day: string) => {
    const line = progressLine(done, total, day, Date.now() - started);
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${line}\x1b[K`);
      if (done === total) stream.write('\n');
    } else if (done % 50 === 0 || done === total) {
      stream.write(`${line}\n`);
    }
  };
}

export function summaryTable(summary: SimulationSummary): string {
  const rows: [string, string | number][] = [
    ['nights replayed', summary.days],
    ['customers', summary.customers],
    ['snapshot rows ingested', summary.ingest.rows],
    ['cases opened', summary.casesOpened],
    ['cases resolved', summary.resolutions],
    ...Object.entries(summary.emailsByPlay)
      .sort((a, b) => b[1] - a[1])
      .map(([play, n]): [string, number] => [`emails: ${play}`, n]),
    ...Object.entries(summary.emailsByLocale)
      .sort()
      .map(([locale, n]): [string, number] => [`emails in ${locale}`, n]),
    ...Object.entries(summary.heldOutByPlay)
      .sort()
      .map(([play, n]): [string, number] => [`held out: ${play}`, n]),
    ['owner tasks', summary.tasks],
    ['escalations', summary.escalations],
    ['emails suppressed', summary.suppressed],
    ['hard bounces', summary.bounces],
    ['complaints', summary.complaints],
    ['unsubscribes', summary.unsubscribes],
    ['digests', summary.digests],
    ...Object.entries(summary.invocations).map(([fn, n]): [string, number] => [`${fn} invocations`, n]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${String(value).padStart(6)}`).join('\n');
}

const LOCAL_CUSTOMERS_PER_SHARD = 100;

/** `npm start`'s portfolio: about 150 customers over 400 nights. */
export const LOCAL_YEAR = {
  kind: 'generated',
  customers: 150,
  days: 400,
  seed: 42,
  start: '2026-01-05',
} as const;

/** `npm start -- --verbose` also prints where the time went: each phase of the nights and the emulators' share. */
export async function start(
  out = 'out/demo',
  stats?: SimulationStats,
  verbose = false,
): Promise<SimulationSummary> {
  const began = Date.now();
  const measured = stats ?? ({} as SimulationStats);
  // Once the sample passes 100 customers its nights are split into shards, so the shard function runs too (a split
  // night decides exactly what a whole one does). CLM_CUSTOMERS_PER_SHARD=40 npm start splits every night.
  const customersPerShard = Number(process.env.CLM_CUSTOMERS_PER_SHARD) || LOCAL_CUSTOMERS_PER_SHARD;
  const summary = await runSimulation({
    source: LOCAL_YEAR,
    out,
    onProgress: progressReporter(),
    stats: measured,
    customersPerShard,
  });
  process.stdout.write(`\n${summaryTable(summary)}\n`);
  if (verbose)
    process.stdout.write(
      `\nWhere the time went (wall time; each emulator's share is the time a request to it was in flight, with the requests made):\n${phaseTable(measured.phaseTimes)}\n`,
    );
  process.stdout.write(
    `\nWrote ${out}/ in ${((Date.now() - began) / 1000).toFixed(1)} s: open ${out}/index.html\n`,
  );
  return summary;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  await start('out/demo', undefined, process.argv.includes('--verbose'));
