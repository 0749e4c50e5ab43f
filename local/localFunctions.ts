import { DEFAULT_CUSTOMERS_PER_SHARD } from '../lambdas/delivery/runNight';
import type { EventLog } from '../lambdas/ports/eventLog';
import type { AwsClients } from '../lambdas/shared/awsClients';
import { environmentOf, type Variable } from '../lambdas/shared/environment';
import { DEFAULT_SENDER_CONCURRENCY, type Settings, settingsFor } from '../lambdas/shared/settings';
import { SAMPLE_BRAND } from './emailSamples';
import type { LocalDynamo } from './emulators';
import { LOCAL_ACTION_BASE_URL } from './ownerBehaviour';
import type { SenderHandler } from './virtualAws';
import type { Sleeper, VirtualTimeline } from './virtualClock';

// The functions as Lambda runs them, wired by their own composition roots to emulator clients. The local run and
// the integration tests use this, so what runs locally is what deploys: only the clients differ.

/** The sample reseller's settings, as the stack would write them into each function's settings file. */
export const LOCAL_SETTINGS: Settings = {
  dataRetentionDays: 400,
  defaultLocale: 'en',
  defaultTimezone: 'Europe/Berlin',
  sendTime: '09:30',
  taskTime: '07:00',
  digestTime: '08:00',
  escalationEmails: ['team.lead@reseller.example'],
  brand: SAMPLE_BRAND,
  sender: { email: 'success@reseller.example', name: SAMPLE_BRAND.name },
  customersPerShard: DEFAULT_CUSTOMERS_PER_SHARD,
  playbook: null,
  reading: {},
};

/** The send queue's name: the schedules deliver to it, the step function puts waiting steps back on it. */
export const LOCAL_SEND_QUEUE = 'clm-send';

/** Where the local resources are, in the variables the stack sets. */
export function localVariables(dynamo: LocalDynamo): Record<Variable, string> {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:eu-central-1:000000000000:${resource}`;
  return {
    PORTFOLIO_TABLE: dynamo.tables.Portfolio!,
    ACTIVITY_TABLE: dynamo.tables.Activity!,
    SIGNING_SECRET_ID: arn('secretsmanager', 'secret:clm-unsubscribe'),
    CONFIGURATION_SET: 'clm-autopilot',
    UNSUBSCRIBE_BASE_URL: 'https://unsubscribe.reseller.example',
    ACTION_BASE_URL: LOCAL_ACTION_BASE_URL,
    SCHEDULE_GROUP: 'clm-autopilot-steps',
    SEND_QUEUE_ARN: arn('sqs', LOCAL_SEND_QUEUE),
    SEND_QUEUE_URL: `https://sqs.eu-central-1.amazonaws.com/000000000000/${LOCAL_SEND_QUEUE}`,
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/clm-step-scheduler',
    STEP_DLQ_ARN: arn('sqs', 'clm-dead-letters'),
    SHARD_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/000000000000/clm-shards',
  };
}

export interface LocalWorld {
  dynamo: LocalDynamo;
  settings: Settings;
  /** Every client any function uses; functions get only theirs, through their composition root. */
  clients: AwsClients;
  events: EventLog;
  now: () => Date;
  /** The virtual clock's timeline: the senders' pacing sleeps on it instead of the run waiting. */
  timeline?: VirtualTimeline;
  /** The step function's SES client, configured as in Lambda (lambdas/shared/awsClients.ts SENDER_SES_CONFIG). */
  senderSes?: AwsClients['ses'];
}

/** The input of one function's composition root: its own environment and settings, from the same checks as Lambda. */
export function rootInput<F extends Parameters<typeof environmentOf>[0]>(fn: F, world: LocalWorld) {
  return {
    environment: environmentOf(fn, localVariables(world.dynamo)),
    settings: settingsFor(fn, world.settings),
    clients: world.clients,
    events: world.events,
    now: world.now,
  };
}

/** The step function's input: its own SES client where the world has one, and its sleep on the timeline. */
export function senderInput(world: LocalWorld, sleeper?: Sleeper) {
  const input = rootInput('step', world);
  return {
    ...input,
    ...(world.senderSes ? { clients: { ...input.clients, ses: world.senderSes } } : {}),
    ...(sleeper ? { sleep: sleeper.sleep } : {}),
  };
}

/** One instance of the step function: its handler, and its place on the timeline (when the clock is virtual). */
export interface LocalSender {
  handler: SenderHandler;
  sleeper?: Sleeper;
}

/** A new instance of the step function, as Lambda starts one per concurrent batch: its own pacer. */
export async function localSender(world: LocalWorld) {
  const { stepRoot, createStepHandler } = await import('../lambdas/handlers/step');
  const sleeper = world.timeline?.join();
  const root = stepRoot(senderInput(world, sleeper));
  return { root, handler: createStepHandler(root), ...(sleeper ? { sleeper } : {}) };
}

/**
 * Every function's handler, built by its composition root. Imported on demand: the step and digest functions load
 * the compiled templates, which the local run builds first.
 */
export async function localFunctions(world: LocalWorld) {
  const [ingest, evaluate, evaluateShard, digest, unsubscribe, ownerAction, sesEvents] = await Promise.all([
    import('../lambdas/handlers/ingest'),
    import('../lambdas/handlers/evaluate'),
    import('../lambdas/handlers/evaluateShard'),
    import('../lambdas/handlers/digest'),
    import('../lambdas/handlers/unsubscribe'),
    import('../lambdas/handlers/ownerAction'),
    import('../lambdas/handlers/sesEvents'),
  ]);
  // The step function drains the send queue with at most this many instances at once, each with its own pacer.
  const senders = await Promise.all(
    Array.from({ length: world.settings.senderConcurrency ?? DEFAULT_SENDER_CONCURRENCY }, () =>
      localSender(world),
    ),
  );
  const roots = {
    ingest: ingest.ingestRoot(rootInput('ingest', world)),
    evaluate: evaluate.evaluateRoot(rootInput('evaluate', world)),
    evaluateShard: evaluateShard.evaluateShardRoot(rootInput('evaluateShard', world)),
    step: senders[0]!.root,
    digest: digest.digestRoot(rootInput('digest', world)),
    unsubscribe: unsubscribe.unsubscribeRoot(rootInput('unsubscribe', world)),
    ownerAction: ownerAction.ownerActionRoot(rootInput('ownerAction', world)),
    sesEvents: sesEvents.sesEventsRoot(rootInput('sesEvents', world)),
  };
  return {
    roots,
    senders: senders.map(({ root: _, ...sender }) => sender as LocalSender),
    ingest: ingest.createIngestHandler(roots.ingest),
    evaluate: evaluate.createEvaluateHandler(roots.evaluate),
    evaluateShard: evaluateShard.createEvaluateShardHandler(roots.evaluateShard),
    step: senders[0]!.handler,
    digest: digest.createDigestHandler(roots.digest),
    unsubscribe: unsubscribe.createUnsubscribeHandler(roots.unsubscribe),
    ownerAction: ownerAction.createOwnerActionHandler(roots.ownerAction),
    sesEvents: sesEvents.createSesEventsHandler(roots.sesEvents),
  };
}

export type LocalFunctions = Awaited<ReturnType<typeof localFunctions>>;
