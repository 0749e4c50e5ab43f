import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isIsoDate } from '../lambdas/domain/dates';
import { isClockTime } from '../lambdas/domain/delivery/sendTime';
import { isTimeZone, LOCALES } from '../lambdas/domain/locales';
import { DEFAULT_PLAYBOOK, parsePlaybook } from '../lambdas/domain/playbook/playbook';
import { Brand } from '../lambdas/rendering/brand';
import type { SnapshotSource } from '../local/simulation';
import { type CliCommand, UsageError } from './command';
import { READING_OPTIONS, READING_USAGE, readingSettingsOf } from './snapshotOptions';

const USAGE = `Usage:
  clm simulate --snapshots DIR --out OUT [--contacts FILE] [--playbook FILE] [--config FILE] [reading options]
  clm simulate --customers N --days D --seed S [--start YYYY-MM-DD] --out OUT [--playbook FILE] [--config FILE]

Replays snapshot files night by night through the same pipeline as npm start, on local emulators (no AWS).
DIR holds one file per day named YYYY-MM-DD.csv, .txt, .json or .ndjson; or a portfolio is generated (the same for the
same seed). OUT gets events.jsonl, summary.json, every email and digest as HTML, and the run report: index.html,
with a page per customer in customers/.

Options:
  --contacts FILE   your contacts directory (customer_id, customer_name, admin_email, admin_name, owner_email,
                    locale, timezone), uploaded before the first night and joined with every snapshot
  --playbook FILE   your playbook JSON instead of the default one
  --compare-with default|FILE
                    replay the same snapshots under that playbook too, into OUT/baseline/, and write
                    OUT/compare.html: per play and per customer, what your playbook changes
  --verbose         print the handlers' log lines too (as does LOG_LEVEL or POWERTOOLS_LOG_LEVEL set)
  --config FILE     JSON with any of: sendTime, taskTime, digestTime, defaultLocale, defaultTimezone,
                    escalationEmails (array), brand (object), defaultOwnerEmail
  -h, --help        show this help

${READING_USAGE}

Exit codes: 0 done, 1 every snapshot file was rejected (nothing was read), 2 bad options or a failure.`;

const SimulationConfig = z
  .object({
    sendTime: z.string().refine(isClockTime, 'expected HH:MM').optional(),
    taskTime: z.string().refine(isClockTime, 'expected HH:MM').optional(),
    digestTime: z.string().refine(isClockTime, 'expected HH:MM').optional(),
    defaultLocale: z.enum(LOCALES).optional(),
    defaultTimezone: z.string().refine(isTimeZone, 'unknown IANA time zone').optional(),
    escalationEmails: z.array(z.email()).optional(),
    brand: Brand.optional(),
    defaultOwnerEmail: z.email().optional(),
  })
  .strict();

const positive = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!text || !Number.isInteger(value) || value <= 0)
    throw new UsageError(`--${name} must be a whole number above 0`);
  return value;
};

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'replay snapshot files (or a generated portfolio) through the pipeline locally',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        snapshots: { type: 'string' },
        customers: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string', default: '2026-01-05' },
        out: { type: 'string' },
        playbook: { type: 'string' },
        config: { type: 'string' },
        contacts: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        ...READING_OPTIONS,
        'compare-with': { type: 'string' },
      },
    });
    if (!values.out) throw new UsageError('--out is required');
    let source: SnapshotSource;
    if (values.snapshots) {
      if (values.customers || values.days || values.seed)
        throw new UsageError('give either --snapshots or --customers/--days/--seed');
      source = { kind: 'folder', dir: values.snapshots };
    } else {
      if (!isIsoDate(values.start!)) throw new UsageError('--start must be a date YYYY-MM-DD');
      source = {
        kind: 'generated',
        customers: positive('customers', values.customers),
        days: positive('days', values.days),
        seed: positive('seed', values.seed),
        start: values.start!,
      };
    }
    try {
      const playbook = values.playbook
        ? parsePlaybook(JSON.parse(await readFile(values.playbook, 'utf8')))
        : undefined;
      const reading = await readingSettingsOf(values);
      const settings = values.config
        ? SimulationConfig.parse(JSON.parse(await readFile(values.config, 'utf8')))
        : {};
      // The emulators are development tools: loaded only when a simulation runs.
      const { runSimulation } = await import('../local/simulation');
      const { progressReporter, summaryTable } = await import('../local/start');
      (await import('../local/handlerLogs')).quietHandlerLogs(values.verbose!);
      const compareWith = values['compare-with'];
      const baseline =
        compareWith === undefined || compareWith === 'default'
          ? DEFAULT_PLAYBOOK
          : parsePlaybook(JSON.parse(await readFile(compareWith, 'utf8')));
      const options = {
        source,
        out: values.out,
        ...(playbook ? { playbook } : {}),
        settings: settings as NonNullable<Parameters<typeof runSimulation>[0]['settings']>,
        onProgress: progressReporter(),
        reading,
        ...(values.contacts ? { contacts: values.contacts } : {}),
      };
      const summary = await runSimulation(options);
      io.out(`\n${summaryTable(summary)}\n\nWrote ${values.out}/ (open index.html)`);
      if (summary.ingest.files > 0 && summary.ingest.rows === 0) {
        io.err(
          `clm simulate: every snapshot file was rejected, so nothing was simulated. Check one with \`clm validate FILE\` and the same reading options; the reasons are in ${values.out}/events.jsonl and the reports.`,
        );
        return 1;
      }
      if (compareWith !== undefined) {
        io.out(`\nReplaying the same snapshots under ${compareWith} to compare`);
        const { compareWithBaseline } = await import('../local/report/comparePlaybooks');
        await compareWithBaseline(
          { ...options, onProgress: progressReporter() },
          { label: values.playbook ? basename(values.playbook) : 'default playbook', summary },
          {
            label: compareWith === 'default' ? 'default playbook' : basename(compareWith),
            playbook: baseline,
          },
        );
        io.out(`Wrote ${values.out}/compare.html`);
      }
      return 0;
    } catch (error) {
      io.err(`clm simulate: ${(error as Error).message}`);
      return 2;
    }
  },
};
