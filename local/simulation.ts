import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import type { DynamoIngestStore } from '../lambdas/adapters/dynamodb/dynamoIngestStore';
import type { DynamoPortfolioStore } from '../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import type { EvaluationSettings } from '../lambdas/delivery/settings';
import { addDays, type IsoDate, isBusinessDay } from '../lambdas/domain/dates';
import { localTimeToUtc } from '../lambdas/domain/delivery/sendTime';
import { DEFAULT_PLAYBOOK, type Playbook } from '../lambdas/domain/playbook/playbook';
import type { ReadingSettings } from '../lambdas/domain/snapshot/readingSettings';
import type { DeliveryEvent, EventLog } from '../lambdas/ports/eventLog';
import { CONTACTS_PREFIX } from '../lambdas/shared/environment';
import { keepMetricsLocal } from '../lambdas/shared/observability';
import type { Settings } from '../lambdas/shared/settings';
import { buildTemplates } from '../scripts/buildTemplates';
import { functionUrlRequest, scheduledEvent, sesEvent } from './awsEvents';
import { SAMPLE_BRAND } from './emailSamples';
import { type StoredEmail, s3EventKey, startLocalAws } from './emulators';
import { LOCAL_SEND_QUEUE, LOCAL_SETTINGS, type LocalFunctions, localFunctions } from './localFunctions';
import { OUTPUT_MAIL_FOLDER, prepareOutputFolder } from './outputFolder';
import { SimulatedOwners } from './ownerBehaviour';
import { type Phase, PhaseClock, type PhaseTimes } from './phaseClock';
import { Recipients } from './recipientBehaviour';
import { type HoldoutSummary, holdoutsOf, outcomesByPlay, type PlayOutcome } from './report/playOutcomes';
import type { RunMail } from './report/runEvents';
import { RunFacts } from './report/runFacts';
import { writeReport } from './report/runReport';
import { generateSamplePortfolio, snapshotRowsOn, toCsv } from './samplePortfolio';
import { VirtualQueue, VirtualScheduler, VirtualSendQueue, virtualSecrets, virtualSqs } from './virtualAws';
import { VirtualTimeline } from './virtualClock';

export type SnapshotSource =
  | { kind: 'generated'; customers: number; days: number; seed: number; start: IsoDate }
  | { kind: 'folder'; dir: string };

export interface SimulationOptions {
  source: SnapshotSource;
  out: string;
  playbook?: Playbook;
  settings?: Partial<EvaluationSettings> & { defaultOwnerEmail?: string };
  /** A contacts directory file, uploaded under contacts/ before the first night, as `clm upload --contacts` does. */
  contacts?: string;
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
  phases: Record<Phase, number>;
  /** The same with each emulator's share. */
  phaseTimes: PhaseTimes;
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
  /** What recipients did (sample portfolio only): hard bounces, spam complaints, one-click unsubscribes. */
  bounces: number;
  complaints: number;
  unsubscribes: number;
  /** Invocations of each function's handler. */
  invocations: Record<string, number>;
}

type LoggedEvent = DeliveryEvent & { at: string };

/** The later of two times: the senders' pacing may have moved the clock past the next thing's time. */
const later = (a: Date, b: Date) => (a > b ? a : b);

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

/** A customer email as it went to SES, for what its recipient does with it. */
interface SentEmail {
  messageId: string;
  html: string;
  to: string;
  customerId: string;
  tags: Record<string, string>;
  unsubscribeUrl: string | null;
  at: Date;
}

/**
 * Replays snapshot files night by night through every function's handler, wired by its own composition root to
 * the local emulators: s3rver events drive the ingest handler, the nightly and digest handlers get the scheduled
 * events EventBridge Scheduler sends, each step gets its schedule's payload, shards arrive as SQS records, and the
 * sample's recipients bounce, complain and unsubscribe through the SES-events and unsubscribe handlers.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const phases = new PhaseClock();
  // Whatever can refuse the run does so before an emulator starts; the user's files are never deleted.
  const nights = await nightsOf(options.source);
  await prepareOutputFolder(options.out, options.source.kind === 'folder' ? [options.source.dir] : []);
  await buildTemplates();
  keepMetricsLocal();
  // Nothing that can fail runs between here and the try whose finally closes them.
  const { dynamo, s3, ses, close } = await startLocalAws();
  phases.watch(dynamo.client, 'dynalite');
  phases.watch(s3.client, 's3rver');
  phases.watch(ses.client, 'ses');
  phases.watch(ses.senderClient, 'ses');
  const clock = { now: new Date(0) };
  const now = () => clock.now;
  const events = new FileEventLog();
  // The step schedules fire into the send queue; the senders drain it, pacing on the virtual clock.
  const sendQueue = new VirtualSendQueue(now);
  const scheduler = new VirtualScheduler(sendQueue);
  const queue = new VirtualQueue();
  phases.watch(scheduler.client, 'virtualAws', 'call');
  const timeline = new VirtualTimeline({
    now: () => clock.now.getTime(),
    advanceTo: (at) => {
      clock.now = later(clock.now, new Date(at));
    },
  });
  ses.useClock(now);
  const brand = options.settings?.brand ?? SAMPLE_BRAND;
  const { playbook: playbookSetting, ...chosen } = options.settings ?? {};
  const settings: Settings = {
    ...LOCAL_SETTINGS,
    ...chosen,
    brand,
    sender: { ...LOCAL_SETTINGS.sender, name: brand.name },
    customersPerShard: options.customersPerShard ?? LOCAL_SETTINGS.customersPerShard,
    playbook: options.playbook ?? playbookSetting ?? null,
    reading: options.reading ?? {},
  };
  // The owners read their digests and click some of the action links a day or two later.
  let ownerAction: LocalFunctions['ownerAction'] | undefined;
  const owners = new SimulatedOwners({
    seed: options.source.kind === 'generated' ? options.source.seed : 0,
    handler: (event) => ownerAction!(event),
    now,
  });
  // What went to SES, with the virtual time it went: the emulator stamps mail with the wall clock.
  const sent: SentEmail[] = [];
  const sentEmails = new Map<string, SentEmail>();
  for (const client of [ses.client, ses.senderClient])
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'SendEmailCommand') {
          const email = sentEmailOf(args.input, result.output, clock.now);
          sentEmails.set(email.messageId, email);
          sent.push(email);
          if (email.tags.digest) owners.readDigest(email.html, clock.now.toISOString().slice(0, 10));
        }
        return result;
      },
      { step: 'initialize', name: 'virtualSendTime' },
    );
  const invocations: Record<string, number> = {};
  const recipients = options.source.kind === 'generated' ? new Recipients() : null;
  const reactions = { bounces: 0, complaints: 0, unsubscribes: 0 };
  const ingestStores: DynamoIngestStore[] = [];
  const facts = new RunFacts();
  let playbook: Playbook = DEFAULT_PLAYBOOK;
  let evaluationReads = 0;
  let customersEvaluated = 0;
  const s3Events: S3EventRecord[] = [];
  s3.onObjectCreated((record) => s3Events.push(record));
  // Waits for this upload's own notification: the event of a report the ingest wrote may come in after the
  // ingest returned, and must not be taken for the next night's file.
  const objectCreated = async (key: string) => {
    const expected = s3EventKey(key);
    while (!s3Events.some((r) => r.s3.object.key === expected))
      await new Promise((resolve) => setTimeout(resolve, 1));
  };

  const mailDir = join(options.out, OUTPUT_MAIL_FOLDER);
  const mails: RunMail[] = [];
  let customerCount = 0;
  try {
    const fns = await localFunctions({
      dynamo,
      settings,
      clients: {
        dynamodb: dynamo.documents,
        s3: s3.client,
        ses: ses.client,
        scheduler: scheduler.client,
        sqs: phases.watch(
          virtualSqs({ 'clm-shards': queue, [LOCAL_SEND_QUEUE]: sendQueue }),
          'virtualAws',
          'call',
        ),
        secrets: phases.watch(virtualSecrets('local-run-signing-key'), 'virtualAws', 'call'),
      },
      senderSes: ses.senderClient,
      events,
      now,
      timeline,
    });
    const run = counted(fns, invocations);
    ownerAction = run.ownerAction;
    playbook = fns.roots.evaluate.settings.playbook;
    const makeIngestStore = fns.roots.ingest.store;
    fns.roots.ingest.store = () => {
      const store = makeIngestStore() as DynamoIngestStore;
      ingestStores.push(store);
      return store;
    };
    const evaluationStores = [
      fns.roots.evaluate.store,
      fns.roots.evaluateShard.store,
    ] as DynamoPortfolioStore[];
    const evaluationReadsNow = () => evaluationStores.reduce((sum, store) => sum + store.requests.reads, 0);
    // The report's per-night figures come from the evaluation's own reads of the portfolio.
    fns.roots.evaluate.store = facts.watching(fns.roots.evaluate.store);
    fns.roots.evaluateShard.store = facts.watching(fns.roots.evaluateShard.store);
    if (options.contacts) {
      phases.enter('ingest');
      // Before the first night, the contacts directory arrives under contacts/ and replaces any earlier one.
      const key = `${CONTACTS_PREFIX}${basename(options.contacts)}`;
      await s3.client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: await readFile(options.contacts) }),
      );
      await objectCreated(key);
      await run.ingest({ Records: s3Events.splice(0) });
    }
    // Each schedule fires into the send queue at its time, and the senders drain the queue: batches of ten, two
    // senders at once, each pacing to its share of the SES rate on the virtual clock. Everything due before `until`,
    // in time order; `before` runs first at each time (the digests).
    const nextAt = () => {
      const [due, visible] = [scheduler.nextDueAt(), sendQueue.nextVisibleAt()];
      return !due ? visible : !visible ? due : later(visible, due) === visible ? due : visible;
    };
    const sendDue = async (until: Date, before?: (at: Date) => Promise<void>, inclusive = false) => {
      for (
        let at = nextAt();
        at && (at < until || (inclusive && at.getTime() === until.getTime()));
        at = nextAt()
      ) {
        await before?.(at);
        clock.now = later(clock.now, at);
        scheduler.fireDue(clock.now);
        await sendQueue.drain(run.senders);
      }
    };
    for (const [n, night] of nights.entries()) {
      const day = night.date;
      // A schedule due as the export arrives (09:30 in Tokyo is 00:30 UTC) fires at its own time, before the
      // night's evaluation, as in AWS.
      phases.enter('steps');
      await sendDue(new Date(`${day}T00:30:00Z`), undefined, true);
      phases.enter('ingest');
      // 00:30 UTC: the night's export arrives in the bucket; S3 notifies the ingest function.
      clock.now = new Date(`${day}T00:30:00Z`);
      const key = `snapshots/${night.name}`;
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: await night.body() }));
      await objectCreated(key);
      // S3 notifies for the snapshot prefix only, as the stack's notification filter does.
      const records = s3Events
        .splice(0)
        .filter((r) => decodeURIComponent(r.s3.object.key).startsWith('snapshots/'));
      await run.ingest({ Records: records });
      phases.enter('evaluate');
      // Evaluation at 02:00 in the reseller's zone; a split night's shards go to the workers together.
      clock.now = localTimeToUtc(day, '02:00', settings.defaultTimezone);
      const readsBefore = evaluationReadsNow();
      const outcome = await run.evaluate(scheduledEvent(clock.now, 'clm-nightly'));
      if (outcome.mode === 'whole') customersEvaluated += outcome.customers;
      const shards = await Promise.all(
        queue.take().map((record) => run.evaluateShard({ Records: [record] })),
      );
      for (const result of shards.flat()) customersEvaluated += result.customers;
      evaluationReads += evaluationReadsNow() - readsBefore;
      phases.enter('steps');
      // Then every schedule due before the next night's export, and the weekday digests, in time order.
      const until = new Date(`${addDays(day, 1)}T00:30:00Z`);
      const digestAt = localTimeToUtc(day, settings.digestTime, settings.defaultTimezone);
      let digestDone = !isBusinessDay(day);
      await sendDue(until, async (at) => {
        if (!digestDone && digestAt <= at) {
          clock.now = later(clock.now, digestAt);
          await phases.during('digests', () => run.digest(scheduledEvent(digestAt, 'clm-digests')));
          digestDone = true;
        }
      });
      if (!digestDone) {
        clock.now = later(clock.now, digestAt);
        await phases.during('digests', () => run.digest(scheduledEvent(digestAt, 'clm-digests')));
      }
      phases.enter('reactions');
      // What recipients did with today's emails, ten minutes after each arrived.
      for (const email of sent.splice(0).sort(bySendOrder)) {
        const behaviour = email.unsubscribeUrl ? (recipients?.firstEmailTo(email.to) ?? 'reads') : 'reads';
        clock.now = new Date(email.at.getTime() + 10 * 60_000);
        if (behaviour === 'bounce' || behaviour === 'complaint') {
          const { suppressed } = await run.sesEvents(sesEvent(behaviour, email, clock.now));
          if (behaviour === 'bounce') reactions.bounces += suppressed;
          else reactions.complaints += suppressed;
        } else if (behaviour === 'unsubscribe') {
          const response = await run.unsubscribe(
            functionUrlRequest('POST', email.unsubscribeUrl!, 'List-Unsubscribe=One-Click', clock.now),
          );
          if (response.statusCode === 200) reactions.unsubscribes++;
        }
      }
      // Late in the evening, the owners' clicks planned for today.
      clock.now = new Date(`${day}T23:00:00Z`);
      await owners.act(day);
      phases.enter('outbox');
      await collectMail(await phases.track('ses', () => ses.emails()), day, mailDir, mails);
      await phases.track('ses', () => ses.clear());
      options.onProgress?.(n + 1, nights.length, day);
    }
    customerCount = (await fns.roots.digest.store.load({ history: false })).customers.length;
    if (options.stats) {
      Object.assign(options.stats, {
        ingestWrites: ingestStores.reduce((sum, s) => sum + s.writeRequests, 0),
        ingestReads: ingestStores.reduce((sum, s) => sum + s.readRequests, 0),
        evaluationReads,
        customersEvaluated,
      });
    }
  } finally {
    phases.enter('setup');
    await close();
  }
  phases.enter('outbox');

  // Work done at the same virtual time ran concurrently: order ties by their text, so a seed gives one file.
  const lines = events.events
    .map((e) => ({ at: e.at, line: JSON.stringify(e) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.line < b.line ? -1 : a.line > b.line ? 1 : 0))
    .map((e) => e.line);
  await writeFile(join(options.out, 'events.jsonl'), lines.join('\n') + (lines.length ? '\n' : ''));
  const summary: SimulationSummary = {
    ...summarize(events.events, nights.length, customerCount, playbook),
    ...reactions,
    invocations,
  };
  if (options.stats) options.stats.rowsIngested = summary.ingest.rows;
  await writeFile(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeReport({ out: options.out, summary, events: events.events, mails, facts });
  const times = phases.stop();
  if (options.stats) {
    options.stats.phaseTimes = times;
    options.stats.phases = Object.fromEntries(
      Object.entries(times).map(([phase, { ms }]) => [phase, ms]),
    ) as Record<Phase, number>;
  }
  return summary;

  async function collectMail(stored: StoredEmail[], day: string, dir: string, list: typeof mails) {
    const sentOf = (email: StoredEmail) =>
      (sentEmails.get(email.messageId)?.at ?? new Date(email.at * 1000)).toISOString();
    const keyOf = (email: StoredEmail) =>
      `${sentOf(email)}|${email.destination.to[0] ?? ''}|${email.subject}`;
    // Concurrent sends reach the emulator in any order: number the files in send-time order.
    const ordered = [...stored].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    for (const email of ordered) {
      const to = email.destination.to[0] ?? '';
      const digest = !email.headers?.some((h) => h.name === 'List-Unsubscribe');
      const tags = sentEmails.get(email.messageId)?.tags;
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

/** Handlers that count their invocations, for the summary (every function runs in a local run). */
function counted(fns: LocalFunctions, invocations: Record<string, number>) {
  const count =
    <E, R>(name: string, handler: (event: E) => Promise<R>) =>
    (event: E) => {
      invocations[name] = (invocations[name] ?? 0) + 1;
      return handler(event);
    };
  return {
    ingest: count('ingest', fns.ingest),
    evaluate: count('evaluate', fns.evaluate),
    evaluateShard: count('evaluateShard', fns.evaluateShard),
    step: count('step', fns.step),
    senders: fns.senders.map((sender) => ({ ...sender, handler: count('step', sender.handler) })),
    digest: count('digest', fns.digest),
    unsubscribe: count('unsubscribe', fns.unsubscribe),
    ownerAction: count('ownerAction', fns.ownerAction),
    sesEvents: count('sesEvents', fns.sesEvents),
  };
}

function sentEmailOf(input: unknown, output: unknown, at: Date): SentEmail {
  const request = input as {
    Destination: { ToAddresses: string[] };
    EmailTags?: { Name: string; Value: string }[];
    Content: { Simple: { Headers?: { Name: string; Value: string }[]; Body: { Html?: { Data?: string } } } };
  };
  const tags = Object.fromEntries((request.EmailTags ?? []).map((t) => [t.Name, t.Value]));
  const unsubscribe = request.Content.Simple.Headers?.find((h) => h.Name === 'List-Unsubscribe')?.Value;
  return {
    messageId: (output as { MessageId?: string }).MessageId ?? '',
    html: request.Content.Simple.Body.Html?.Data ?? '',
    to: request.Destination.ToAddresses[0] ?? '',
    customerId: tags.customerId ?? '',
    tags,
    unsubscribeUrl: unsubscribe ? (/<(https?:[^>]+)>/.exec(unsubscribe)?.[1] ?? null) : null,
    at,
  };
}

const bySendOrder = (a: SentEmail, b: SentEmail) =>
  a.at.getTime() - b.at.getTime() ||
  (a.to < b.to ? -1 : a.to > b.to ? 1 : a.messageId < b.messageId ? -1 : 1);

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

function summarize(events: LoggedEvent[], days: number, customers: number, playbook: Playbook) {
  const count = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  const summary: Omit<SimulationSummary, 'bounces' | 'complaints' | 'unsubscribes' | 'invocations'> = {
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
