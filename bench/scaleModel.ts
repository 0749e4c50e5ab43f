// The scale model: what a portfolio of 10,000 to 1,000,000 subscriptions asks of AWS on its first night and on a
// steady night, from what the bench measures (per customer) and the quotas AWS documents. Pure functions: the
// bench feeds them its figures and prints the table; the unit test holds them to the rules they state.

/** Quotas the design relies on, as AWS documents them (per account and Region unless said otherwise). */
export const AWS_QUOTAS = {
  /** EventBridge Scheduler CreateSchedule requests a second: the main Regions, and the others. */
  createSchedulePerSecond: { main: 5_000, other: 250 },
  /** EventBridge Scheduler: schedules an account may hold. */
  schedulesPerAccount: 10_000_000,
  /** EventBridge Scheduler: target invocations a second. */
  invocationsPerSecond: 1_000,
  /** Lambda: concurrent executions. */
  lambdaConcurrency: 1_000,
  /** SQS: the longest a message may stay in a queue (the send queue keeps messages this long). */
  queueRetentionSeconds: 14 * 24 * 3600,
} as const;

/** An SES account's sending quota (GetAccount: Max24HourSend, MaxSendRate). */
export interface SesQuota {
  dailyMessages: number;
  messagesPerSecond: number;
}

/** The two accounts the model is run for: a first grant out of the sandbox, and a grown one. */
export const SES_TIERS: readonly SesQuota[] = [
  { dailyMessages: 50_000, messagesPerSecond: 14 },
  { dailyMessages: 1_000_000, messagesPerSecond: 100 },
];

/** How the stack evaluates and sends (the constants in the code the model stands for, and two stated latencies). */
export interface Deployment {
  /**
   * Customers a shard worker evaluates: DEFAULT_CUSTOMERS_PER_SHARD (lambdas/delivery/runNight.ts) in the main
   * Regions, and what the README tells the other Regions to set with `-c customersPerShard`.
   */
  customersPerShard: { main: number; other: number };
  /** Shard workers at once (lib/constructs/evaluation.ts). */
  shardConcurrency: number;
  /** A shard worker's time limit (lib/constructs/evaluation.ts). */
  shardTimeoutSeconds: number;
  /** CreateSchedule calls one evaluator keeps in flight (lambdas/delivery/evaluatePortfolio.ts). */
  schedulesInFlight: number;
  /** Round trip of one CreateSchedule call inside the Region, beside our own CPU cost (stated, not measured). */
  createScheduleLatencyMs: number;
  /**
   * One step's wall time at send time besides our CPU: SES SendEmail and the step's DynamoDB reads and writes
   * (stated, not measured).
   */
  stepLatencyMs: number;
  /** Sender functions at once (-c senderConcurrency, DEFAULT_SENDER_CONCURRENCY in lambdas/shared/settings.ts). */
  senders: number;
  /** Steps one sender invocation works on at once (lambdas/handlers/step.ts). */
  stepsInFlight: number;
  /** Hours from the nightly evaluation (02:00) to the first 09:30 of the night's schedules in its own zone. */
  hoursBeforeFirstSend: number;
  /** How long the Scheduler keeps retrying a target it could not invoke (the step schedules' retry policy). */
  scheduleRetrySeconds: number;
  /** Customer emails the evaluation plans for a day under a quota (customerEmailsPerDay, evaluatePortfolio.ts). */
  customerEmailsPerDay: (quota: SesQuota) => number;
  /** Steady-night emails must be out within this long after their 09:30. */
  steadyDeadlineSeconds: number;
}

/** What the bench measured of one night of the engine, per customer. */
export interface NightMeasure {
  /** Schedules the night makes per customer: customer emails, owner tasks and escalations. */
  schedulesPerCustomer: number;
  /**
   * Customer emails the night plans per customer, by send day: index 0 is the first business day after the night,
   * 1 the next business day, and so on (emails that would land on a weekend count on the next business day).
   */
  emailsPerCustomerByDay: readonly number[];
}

/** The bench's measured figures the model scales. */
export interface Measured {
  /** Export rows (subscription lines) per customer in the sample portfolio. */
  subscriptionsPerCustomer: number;
  firstNight: NightMeasure;
  /** A steady night, averaged over several: what one night adds to every following day's sending. */
  steadyNight: NightMeasure;
  /** The largest share of one day's emails whose 09:30 falls at the same instant (zones of one UTC offset). */
  largestZoneShare: number;
  /** The zones behind largestZoneShare, for the printout. */
  largestZone: string;
  /** Our CPU time per CreateSchedule call (the adapter and SDK, measured with the network cut out). */
  createScheduleCpuMs: number;
  /** Our CPU time per email at send time besides SES (render and records; measured). */
  sendCpuMs: number;
  /** The engine's CPU time per customer on a steady night (measured). */
  engineMsPerCustomer: number;
}

export interface ScaleRow {
  subscriptions: number;
  customers: number;
  night: 'first' | 'steady';
  ses: SesQuota;
  /** One-time schedules the night makes, and the most the account holds at once after it. */
  schedules: number;
  /** Wall time to make them at the main Regions' and the other Regions' CreateSchedule rate. */
  makeSeconds: { main: number; other: number };
  /** The slowest shard worker's time at the two rates, against its time limit. */
  shardSeconds: { main: number; other: number };
  /** Emails of the busiest send day, after the daily quota spreads them. */
  busiestDayEmails: number;
  /** The largest 09:30 burst: at the sample portfolio's zones, and with every customer in one zone. */
  burst: { sampleZones: number; oneZone: number };
  /** Time for the Scheduler to put the one-zone burst on the send queue (invocations a second). */
  enqueueSeconds: number;
  /** The rate the senders reach: the SES rate, or less when too few senders run at once. */
  sendPerSecond: number;
  /** Time to send the burst at that rate: sample zones and one zone. */
  drainSeconds: { sampleZones: number; oneZone: number };
  /** Business days until every email the night planned for its first days is out (1: none waits). */
  days: number;
  checks: { nothingLost: boolean; nothingTwice: boolean; withinDeadline: boolean | null };
  pass: boolean;
  /** Why a check failed, in a few words; empty when it passed. */
  notes: string[];
}

/** What keeps an email from going out twice, whatever repeats (printed under the table). */
export const NOTHING_TWICE =
  'schedule names are derived from case and step (a second CreateSchedule is a conflict, not a second schedule); ' +
  'each email claims its message id in the ledger with a conditional write before SES is called, so a repeated ' +
  'schedule, queue message or shard sends nothing';

const businessDaysIn = (seconds: number) => seconds / (24 * 3600);

/**
 * Sends the night's emails day by day within the daily quota less the digests' margin: what does not fit waits for
 * the next business day (the evaluation moves it there), while a steady night's new emails keep arriving. Returns the
 * busiest day's emails and the business days until nothing planned for the night's first days is still waiting.
 */
export function spreadOverDays(
  emailsByDay: readonly number[],
  steadyPerDay: number,
  dailyCapacity: number,
): { busiestDay: number; days: number } {
  if (steadyPerDay > dailyCapacity) return { busiestDay: dailyCapacity, days: Number.POSITIVE_INFINITY };
  let waiting = 0;
  let busiestDay = 0;
  let days = 0;
  for (let day = 0; day < emailsByDay.length || waiting > 0; day++) {
    const due = waiting + (emailsByDay[day] ?? 0) + (day > 0 ? steadyPerDay : 0);
    const sent = Math.min(due, dailyCapacity);
    busiestDay = Math.max(busiestDay, sent);
    waiting = due - sent;
    if (waiting > 0) days = day + 2;
  }
  return { busiestDay, days: Math.max(days, 1) };
}

/** Wall time to make `schedules` with the shards' parallel callers sharing one account rate. */
function makingSchedules(
  customers: number,
  schedulesPerCustomer: number,
  region: 'main' | 'other',
  d: Deployment,
  m: Measured,
) {
  const customersPerShard = d.customersPerShard[region];
  const shards = Math.max(1, Math.ceil(customers / customersPerShard));
  const atOnce = Math.min(shards, d.shardConcurrency);
  const rounds = Math.ceil(shards / atOnce);
  const perShardCustomers = Math.min(customers, customersPerShard);
  const perSecond = Math.min(callerPerSecond(d, m), AWS_QUOTAS.createSchedulePerSecond[region] / atOnce);
  const shardSeconds =
    (perShardCustomers * schedulesPerCustomer) / perSecond +
    (perShardCustomers * m.engineMsPerCustomer) / 1000;
  return { shardSeconds, seconds: rounds * shardSeconds };
}

/** One row of the table: a portfolio of `subscriptions` on its first or a steady night, under one SES quota. */
export function scaleRow(
  subscriptions: number,
  night: 'first' | 'steady',
  ses: SesQuota,
  m: Measured,
  d: Deployment,
): ScaleRow {
  const customers = Math.round(subscriptions / m.subscriptionsPerCustomer);
  const measure = night === 'first' ? m.firstNight : m.steadyNight;
  const schedules = Math.round(customers * measure.schedulesPerCustomer);
  const main = makingSchedules(customers, measure.schedulesPerCustomer, 'main', d, m);
  const other = makingSchedules(customers, measure.schedulesPerCustomer, 'other', d, m);

  const steadyPerDay = customers * sum(m.steadyNight.emailsPerCustomerByDay);
  const dailyCapacity = d.customerEmailsPerDay(ses);
  // Every later night adds a steady day's emails; a steady row is those alone, day after day.
  const planned =
    night === 'first' ? measure.emailsPerCustomerByDay.map((n) => n * customers) : [steadyPerDay];
  const { busiestDay, days } = spreadOverDays(planned, steadyPerDay, dailyCapacity);
  const burst = { sampleZones: Math.round(busiestDay * m.largestZoneShare), oneZone: Math.round(busiestDay) };
  const sendPerSecond = Math.min(ses.messagesPerSecond, sendersReach(d, m));
  const drainSeconds = {
    sampleZones: burst.sampleZones / sendPerSecond,
    oneZone: burst.oneZone / sendPerSecond,
  };
  const enqueueSeconds = burst.oneZone / AWS_QUOTAS.invocationsPerSecond;

  const notes: string[] = [];
  // The most schedules alive at once: tonight's and those of the nights before that have not fired yet.
  if (schedules + customers * m.steadyNight.schedulesPerCustomer * 90 > AWS_QUOTAS.schedulesPerAccount)
    notes.push('over 10M schedules');
  if (Math.max(main.shardSeconds, other.shardSeconds) > d.shardTimeoutSeconds)
    notes.push(
      `a shard takes ${Math.round(Math.max(main.shardSeconds, other.shardSeconds))} s (limit ${d.shardTimeoutSeconds} s)`,
    );
  if (Math.max(main.seconds, other.seconds) > d.hoursBeforeFirstSend * 3600)
    notes.push('schedules not made before the first 09:30');
  if (enqueueSeconds > d.scheduleRetrySeconds) notes.push('burst outlasts the schedules’ retry window');
  if (drainSeconds.oneZone > AWS_QUOTAS.queueRetentionSeconds)
    notes.push('burst outlasts the queue’s retention');
  if (d.senders + d.shardConcurrency > AWS_QUOTAS.lambdaConcurrency)
    notes.push('over the Lambda concurrency');
  if (!Number.isFinite(days)) notes.push('the quota never catches up with the steady nights');
  const nothingLost = notes.length === 0;
  const withinDeadline =
    night === 'steady'
      ? days === 1 && enqueueSeconds + drainSeconds.oneZone <= d.steadyDeadlineSeconds
      : null;
  if (withinDeadline === false) notes.push('a steady day is not out within 2 h');
  const checks = { nothingLost, nothingTwice: true, withinDeadline };
  return {
    subscriptions,
    customers,
    night,
    ses,
    schedules,
    makeSeconds: { main: main.seconds, other: other.seconds },
    shardSeconds: { main: main.shardSeconds, other: other.shardSeconds },
    busiestDayEmails: Math.round(busiestDay),
    burst,
    enqueueSeconds,
    sendPerSecond,
    drainSeconds,
    days,
    checks,
    pass: nothingLost && checks.nothingTwice && withinDeadline !== false,
    notes,
  };
}

/** The whole table: every size, both nights, both SES accounts. */
export function scaleTable(
  m: Measured,
  d: Deployment,
  sizes: readonly number[] = [10_000, 100_000, 1_000_000],
  tiers: readonly SesQuota[] = SES_TIERS,
): ScaleRow[] {
  return sizes.flatMap((size) =>
    (['first', 'steady'] as const).flatMap((night) => tiers.map((ses) => scaleRow(size, night, ses, m, d))),
  );
}

/** Emails a second the senders can send: each step in flight takes its round trips and our CPU. */
export function sendersReach(
  d: Pick<Deployment, 'senders' | 'stepsInFlight' | 'stepLatencyMs'>,
  m: Pick<Measured, 'sendCpuMs'>,
): number {
  return (d.senders * d.stepsInFlight * 1000) / (d.stepLatencyMs + m.sendCpuMs);
}

/** The fewest senders that keep up with an account's SES rate. */
export function sendersFor(ses: SesQuota, d: Deployment, m: Measured): number {
  return Math.max(
    2,
    Math.ceil((ses.messagesPerSecond * (d.stepLatencyMs + m.sendCpuMs)) / (d.stepsInFlight * 1000)),
  );
}

/** One evaluator's CreateSchedule pace: its calls in flight over a round trip, no faster than its own CPU. */
function callerPerSecond(d: Deployment, m: Measured): number {
  return Math.min(
    (d.schedulesInFlight * 1000) / (d.createScheduleLatencyMs + m.createScheduleCpuMs),
    1000 / m.createScheduleCpuMs,
  );
}

/**
 * The largest customersPerShard (in thousands) whose worker makes a first night's schedules within its time limit
 * when every shard worker runs at once and they share the Region's CreateSchedule rate.
 */
export function largestShardFitting(region: 'main' | 'other', m: Measured, d: Deployment): number {
  const perSecond = Math.min(
    callerPerSecond(d, m),
    AWS_QUOTAS.createSchedulePerSecond[region] / d.shardConcurrency,
  );
  const secondsPerCustomer = m.firstNight.schedulesPerCustomer / perSecond + m.engineMsPerCustomer / 1000;
  return Math.floor(d.shardTimeoutSeconds / secondsPerCustomer / 1000) * 1000;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Seconds as the table prints them: 42 s, 7 min, 3.2 h, 2 d. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${businessDaysIn(seconds).toFixed(1)} d`;
}
