import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import { DynamoEmailDayBook } from '../lambdas/adapters/dynamodb/dynamoEmailDayBook';
import { DynamoIngestReports } from '../lambdas/adapters/dynamodb/dynamoIngestReports';
import { DynamoIngestStore } from '../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoMessageLedger, DynamoPortfolioStore } from '../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../lambdas/adapters/dynamodb/dynamoSuppressionList';
import { DynamoTaskBook } from '../lambdas/adapters/dynamodb/dynamoTaskBook';
import { S3SnapshotBucket } from '../lambdas/adapters/s3/s3SnapshotBucket';
import { SesMailer } from '../lambdas/adapters/ses/sesMailer';
import { evaluatePortfolio, type StepPayload } from '../lambdas/delivery/evaluatePortfolio';
import { DEFAULT_CUSTOMERS_PER_SHARD, type NightDependencies, runNight } from '../lambdas/delivery/runNight';
import { runStep } from '../lambdas/delivery/runStep';
import { sendDigests } from '../lambdas/delivery/sendDigests';
import type { EvaluationSettings } from '../lambdas/delivery/settings';
import { addDays, type IsoDate, isBusinessDay } from '../lambdas/domain/dates';
import { localTimeToUtc } from '../lambdas/domain/delivery/sendTime';
import { DEFAULT_PLAYBOOK, type Playbook } from '../lambdas/domain/playbook/playbook';
import type { ReadingSettings } from '../lambdas/domain/snapshot/readingSettings';
import { createIngestHandler } from '../lambdas/handlers/ingest';
import type { DeliveryEvent, EventLog } from '../lambdas/ports/eventLog';
import type { Mailer } from '../lambdas/ports/mailer';
import { EmailRenderer } from '../lambdas/rendering/renderer';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { buildTemplates } from '../scripts/buildTemplates';
import { SAMPLE_BRAND } from './emailSamples';
import { type StoredEmail, startLocalAws } from './emulators';
import { OUTPUT_MAIL_FOLDER, prepareOutputFolder } from './outputFolder';
import { LOCAL_ACTION_BASE_URL, SimulatedOwners } from './ownerBehaviour';
import { type HoldoutSummary, holdoutsOf, outcomesByPlay, type PlayOutcome } from './report/playOutcomes';
import type { RunMail } from './report/runEvents';
import { RunFacts } from './report/runFacts';
import { writeReport } from './report/runReport';
import { generateSamplePortfolio, snapshotRowsOn, toCsv } from './samplePortfolio';
import { VirtualScheduler } from './virtualScheduler';

export type SnapshotSource =
  | { kind: 'generated'; customers: number; days: number; seed: number; start: IsoDate }
  | { kind: 'folder'; dir: string };

export interface SimulationOptions {
  source: SnapshotSource;
  out: string;
  playbook?: Playbook;
  settings?: Partial<EvaluationSettings>;
  onProgress?: (done: number, total: number, day: IsoDate) => void;
  /** Filled with DynamoDB request counts and phase times, for `npm run bench`. */
  stats?: SimulationStats;
  /**
   * Split each night into parallel scan segments of about this many customers, evaluated concurrently as the
   * queue's workers would be (default: the deployed default, so a sample portfolio is evaluated whole).
   */
  customersPerShard?: number;
  /** How the snapshot files are read (preset, column mapping, date format...), as the deployed stack reads them. */
  reading?: ReadingSettings;
}

export interface SimulationStats {
  ingestWrites: number;
  ingestReads: number;
  rowsIngested: number;
  evaluationReads: number;
  customersEvaluated: number;
  /** Wall time by phase, in ms. */
  phases: { ingest: number; evaluate: number; steps: number; mail: number };
}

export interface SimulationSummary {
  days: number;
  customers: number;
  emailsByPlay: Record<string, number>;
  emailsByLocale: Record<string, number>;
  tasks: number;
  escalations: number;
  casesOpened: number;
  resolutions: number;
  suppressed: number;
  digests: number;
  ingest: { files: number; rows: number; rejected: number };
  /** Per play: cases opened and resolved, the resolution rate and the median days to resolution. */
  outcomesByPlay: Record<string, PlayOutcome>;
  /** Emails not sent because the customer is in the play's holdout group (`held-out` events), by play. */
  heldOutByPlay: Record<string, number>;
  /** Where a play has a holdout: resolution of emailed against held-out customers' cases. */
  holdouts?: HoldoutSummary[];
}

type LoggedEvent = DeliveryEvent & { at: string };

/** Step invocations run at once when their schedules are due at the same minute. */
const STEPS_IN_FLIGHT = 8;

/** Due schedules (earliest first) in groups that share one due time. */
function atSameTime<T extends { at: Date }>(due: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const item of due) {
    const last = groups.at(-1);
    if (last && last[0]!.at.getTime() === item.at.getTime()) last.push(item);
    else groups.push([item]);
  }
  return groups;
}

class FileEventLog implements EventLog {
  readonly events: LoggedEvent[] = [];
  record(event: DeliveryEvent, at: Date): void {
    this.events.push({ at: at.toISOString(), ...event });
  }
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/**
 * Replays snapshot files night by night through the real handlers and use cases, on the local emulators:
 * s3rver events drive the ingest handler, dynalite holds the data, aws-ses-v2-local receives every email, and a
 * virtual clock stands in for EventBridge Scheduler.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  // Whatever can refuse the run does so before an emulator starts; the user's files are never deleted.
  const nights = await nightsOf(options.source);
  await prepareOutputFolder(options.out, options.source.kind === 'folder' ? [options.source.dir] : []);
  await buildTemplates();
  // Imported once built: the module is what the build just wrote.
  const { COMPILED_TEMPLATES } = await import('../lambdas/rendering/compiledTemplates');
  const renderer = new EmailRenderer(COMPILED_TEMPLATES);
  // Nothing that can fail runs between here and the try whose finally closes them.
  const { dynamo, s3, ses, close } = await startLocalAws();
  const clock = { now: new Date(0) };
  const events = new FileEventLog();
  const scheduler = new VirtualScheduler();
  const settings: EvaluationSettings = {
    playbook: options.playbook ?? DEFAULT_PLAYBOOK,
    sendTime: '09:30',
    taskTime: '07:00',
    digestTime: '08:00',
    defaultLocale: 'en',
    defaultTimezone: 'Europe/Berlin',
    escalationEmails: ['team.lead@reseller.example'],
    brand: SAMPLE_BRAND,
    unsubscribeBaseUrl: 'https://unsubscribe.reseller.example',
    actionBaseUrl: LOCAL_ACTION_BASE_URL,
    ...options.settings,
  };
  const docs = dynamo.documents;
  const tables = dynamo.tables;
  const store = new DynamoPortfolioStore({
    client: docs,
    portfolioTable: tables.Portfolio!,
    retentionDays: 400,
  });
  const ledger = new DynamoMessageLedger(docs, tables.Activity!, 400);
  const tasks = new DynamoTaskBook(docs, tables.Activity!, 400);
  const secret = async () => 'local-run-signing-key';
  // The owners read their digests and click some of the action links a day or two later.
  const owners = new SimulatedOwners({
    documents: docs,
    portfolioTable: tables.Portfolio!,
    activityTable: tables.Activity!,
    seed: options.source.kind === 'generated' ? options.source.seed : 0,
    ...{ store, tasks, scheduler, events, settings, secret, now: () => clock.now },
  });
  const sesMailer = new SesMailer({
    client: ses.client,
    senderEmail: 'success@reseller.example',
    senderName: settings.brand.name,
    configurationSetName: 'clm-autopilot',
  });
  // The emulator stamps mail with the wall clock; the gallery shows when it went in virtual time.
  const sentAt = new Map<string, Date>();
  const sentTags = new Map<string, Record<string, string>>();
  const mailer: Mailer = {
    send: async (email) => {
      const id = await sesMailer.send(email);
      sentAt.set(id, clock.now);
      sentTags.set(id, email.tags);
      if (email.tags.digest) owners.readDigest(email.html, clock.now.toISOString().slice(0, 10));
      return id;
    },
  };
  const now = () => clock.now;
  // The report's per-night figures come from the evaluation's own reads of the portfolio.
  const facts = new RunFacts();
  const evaluateDeps = {
    store: facts.watching(store),
    emailDays: new DynamoEmailDayBook(docs, tables.Portfolio!),
    scheduler,
    events,
    settings,
    now,
  };
  // The queue and its workers, in process: every shard of the night at once, as SQS would hand them out.
  const nightDeps: NightDependencies = {
    ...evaluateDeps,
    customersPerShard: options.customersPerShard ?? DEFAULT_CUSTOMERS_PER_SHARD,
    shards: {
      send: async (shards) => {
        const results = await Promise.all(
          shards.map(({ today, index, count }) =>
            evaluatePortfolio(evaluateDeps, today, { shard: { index, count } }),
          ),
        );
        for (const result of results) customersEvaluated += result.customers;
      },
    },
  };
  const ingestStores: DynamoIngestStore[] = [];
  let evaluationReads = 0;
  let customersEvaluated = 0;
  const ingest = createIngestHandler({
    bucket: new S3SnapshotBucket(s3.client),
    store: () => {
      const ingestStore = new DynamoIngestStore({
        client: docs,
        portfolioTable: tables.Portfolio!,
        activityTable: tables.Activity!,
        retentionDays: 400,
      });
      ingestStores.push(ingestStore);
      return ingestStore;
    },
    settings: {
      defaultLocale: settings.defaultLocale,
      defaultTimezone: settings.defaultTimezone,
      snapshotPrefix: 'snapshots/',
      reportPrefix: 'reports/',
      ...(options.reading ? { reading: options.reading } : {}),
    },
    now,
  });
  const s3Events: S3EventRecord[] = [];
  s3.onObjectCreated((record) => s3Events.push(record));
  const stepDeps = {
    store,
    ledger,
    suppressions: new DynamoSuppressionList(docs, tables.Portfolio!),
    tasks,
    pauses: owners.actions,
    mailer,
    renderer,
    events,
    settings,
    secret,
    now,
  };
  const digestDeps = {
    store,
    tasks,
    reports: new DynamoIngestReports(docs, tables.Activity!),
    ledger,
    mailer,
    renderer,
    events,
    actions: owners.actions,
    settings,
    secret,
    now,
  };

  const mailDir = join(options.out, OUTPUT_MAIL_FOLDER);
  const mails: RunMail[] = [];
  let customerCount = 0;
  const timing = { ingest: 0, evaluate: 0, steps: 0, mail: 0 };
  try {
    for (const [n, night] of nights.entries()) {
      const day = night.date;
      const t0 = performance.now();
      // 00:30 UTC: the night's export arrives in the bucket; S3 notifies the ingest function.
      clock.now = new Date(`${day}T00:30:00Z`);
      const key = `snapshots/${night.name}`;
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: await night.body() }));
      while (s3Events.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      // S3 notifies for the snapshot prefix only, as the stack's notification filter does.
      const records = s3Events
        .splice(0)
        .filter((r) => decodeURIComponent(r.s3.object.key).startsWith('snapshots/'));
      for (const outcome of await ingest({ Records: records })) {
        if (outcome.status === 'ingested' || outcome.status === 'rejected') {
          events.record(
            {
              kind: 'ingest',
              file: key,
              accepted: outcome.record.accepted,
              rejected: outcome.record.rejectedCount,
            },
            clock.now,
          );
        }
      }
      timing.ingest += performance.now() - t0;
      const t1 = performance.now();
      // Evaluation at 02:00 in the reseller's zone.
      clock.now = localTimeToUtc(day, '02:00', settings.defaultTimezone);
      const readsBefore = store.requests.reads;
      const outcome = await runNight(nightDeps, day);
      evaluationReads += store.requests.reads - readsBefore;
      if (outcome.mode === 'whole') customersEvaluated += outcome.customers;
      timing.evaluate += performance.now() - t1;
      const t2 = performance.now();
      // Then every schedule due before the next night's export, and the weekday digests, in time order.
      const until = new Date(`${addDays(day, 1)}T00:30:00Z`);
      const digestAt = localTimeToUtc(day, settings.digestTime, settings.defaultTimezone);
      let digestDone = !isBusinessDay(day);
      for (const group of atSameTime(scheduler.takeDueBefore(until))) {
        const at = group[0]!.at;
        if (!digestDone && digestAt <= at) {
          clock.now = digestAt;
          await sendDigests(digestDeps, day);
          digestDone = true;
        }
        // Schedules due at the same minute fire together, as EventBridge Scheduler invokes them concurrently.
        clock.now = at;
        await mapWithConcurrency(group, STEPS_IN_FLIGHT, (due) =>
          runStep(stepDeps, due.payload as unknown as StepPayload),
        );
      }
      if (!digestDone) {
        clock.now = digestAt;
        await sendDigests(digestDeps, day);
      }
      // Late in the evening, the owners' clicks planned for today.
      clock.now = new Date(`${day}T23:00:00Z`);
      await owners.act(day);
      timing.steps += performance.now() - t2;
      const t3 = performance.now();
      await collectMail(await ses.emails(), day, mailDir, mails);
      await ses.clear();
      timing.mail += performance.now() - t3;
      options.onProgress?.(n + 1, nights.length, day);
    }
    customerCount = (await store.load()).customers.length;
    if (process.env.CLM_TIMING) console.error(timing);
    if (options.stats) {
      Object.assign(options.stats, {
        ingestWrites: ingestStores.reduce((sum, s) => sum + s.writeRequests, 0),
        ingestReads: ingestStores.reduce((sum, s) => sum + s.readRequests, 0),
        evaluationReads,
        customersEvaluated,
        phases: timing,
      });
    }
  } finally {
    await close();
  }

  // Work done at the same virtual time ran concurrently: order ties by their text, so a seed gives one file.
  const lines = events.events
    .map((e) => ({ at: e.at, line: JSON.stringify(e) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.line < b.line ? -1 : a.line > b.line ? 1 : 0))
    .map((e) => e.line);
  await writeFile(join(options.out, 'events.jsonl'), lines.join('\n') + (lines.length ? '\n' : ''));
  const summary = summarize(events.events, nights.length, customerCount, settings.playbook);
  if (options.stats) options.stats.rowsIngested = summary.ingest.rows;
  await writeFile(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeReport({ out: options.out, summary, events: events.events, mails, facts });
  return summary;

  async function collectMail(stored: StoredEmail[], day: string, dir: string, list: typeof mails) {
    const sentOf = (email: StoredEmail) =>
      (sentAt.get(email.messageId) ?? new Date(email.at * 1000)).toISOString();
    const keyOf = (email: StoredEmail) =>
      `${sentOf(email)}|${email.destination.to[0] ?? ''}|${email.subject}`;
    // Concurrent sends reach the emulator in any order: number the files in send-time order.
    const ordered = [...stored].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    for (const email of ordered) {
      const to = email.destination.to[0] ?? '';
      const digest = !email.headers?.some((h) => h.name === 'List-Unsubscribe');
      const tags = sentTags.get(email.messageId);
      const file = `${String(list.length + 1).padStart(5, '0')}-${day}-${slug(to)}-${slug(email.subject)}.html`;
      await writeFile(join(dir, file), email.body.html ?? '');
      list.push({
        file: `mail/${file}`,
        day,
        at: sentOf(email),
        to,
        subject: email.subject,
        kind: digest ? 'digest' : 'customer',
        customerId: tags?.customerId ?? '',
        template: tags?.template ?? '',
      });
    }
  }
}

interface Night {
  date: IsoDate;
  name: string;
  body: () => Promise<string | Buffer>;
}

async function nightsOf(source: SnapshotSource): Promise<Night[]> {
  if (source.kind === 'generated') {
    const customers = generateSamplePortfolio({
      customers: source.customers,
      seed: source.seed,
      start: source.start,
    });
    return Array.from({ length: source.days }, (_, i) => {
      const date = addDays(source.start, i);
      return { date, name: `${date}.csv`, body: async () => toCsv(snapshotRowsOn(customers, date)) };
    });
  }
  const names = await readdir(source.dir).catch((error: NodeJS.ErrnoException) => {
    const why = { ENOENT: 'does not exist', ENOTDIR: 'is not a folder' }[error.code ?? ''] ?? error.message;
    throw new Error(`snapshots folder ${source.dir} ${why}`, { cause: error });
  });
  const files = names.filter((f) => /^\d{4}-\d{2}-\d{2}\.(csv|txt|tsv|json|ndjson|jsonl)$/.test(f)).sort();
  if (files.length === 0)
    throw new Error(`no snapshot files named YYYY-MM-DD.csv / .json / .ndjson in ${source.dir}`);
  return files.map((f) => ({ date: f.slice(0, 10), name: f, body: () => readFile(join(source.dir, f)) }));
}

function summarize(
  events: LoggedEvent[],
  days: number,
  customers: number,
  playbook: Playbook,
): SimulationSummary {
  const count = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  const summary: SimulationSummary = {
    days,
    customers,
    emailsByPlay: {},
    emailsByLocale: {},
    tasks: 0,
    escalations: 0,
    casesOpened: 0,
    resolutions: 0,
    suppressed: 0,
    digests: 0,
    ingest: { files: 0, rows: 0, rejected: 0 },
    outcomesByPlay: outcomesByPlay(events),
    heldOutByPlay: {},
  };
  const holdouts = holdoutsOf(events, playbook);
  if (holdouts.length > 0) summary.holdouts = holdouts;
  for (const e of events) {
    if (e.kind === 'held-out') count(summary.heldOutByPlay, e.play);
    else if (e.kind === 'email') {
      count(summary.emailsByPlay, e.play);
      count(summary.emailsByLocale, e.locale);
    } else if (e.kind === 'task') {
      if (e.level === 2) summary.escalations++;
      else summary.tasks++;
    } else if (e.kind === 'case-opened') summary.casesOpened++;
    else if (e.kind === 'case-resolved') summary.resolutions++;
    else if (e.kind === 'suppressed') summary.suppressed++;
    else if (e.kind === 'digest') summary.digests++;
    else if (e.kind === 'ingest') {
      summary.ingest.files++;
      summary.ingest.rows += e.accepted;
      summary.ingest.rejected += e.rejected;
    }
  }
  return summary;
}
