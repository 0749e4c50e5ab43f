import { DynamoIngestStore } from '../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoOwnerActions } from '../../lambdas/adapters/dynamodb/dynamoOwnerActions';
import type {
  DynamoMessageLedger,
  DynamoPortfolioStore,
} from '../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import type { DynamoSuppressionList } from '../../lambdas/adapters/dynamodb/dynamoSuppressionList';
import type { DynamoTaskBook } from '../../lambdas/adapters/dynamodb/dynamoTaskBook';
import type { EvaluateDependencies } from '../../lambdas/delivery/evaluatePortfolio';
import type { StepDependencies } from '../../lambdas/delivery/runStep';
import type { DigestSettings, EvaluationSettings, StepSettings } from '../../lambdas/delivery/settings';
import { type CustomerState, usagePointOf } from '../../lambdas/domain/customer';
import { DEFAULT_PLAYBOOK } from '../../lambdas/domain/playbook/playbook';
import { digestRoot } from '../../lambdas/handlers/digest';
import { evaluationOf } from '../../lambdas/handlers/evaluate';
import { createStepHandler, type SenderDependencies, stepRoot } from '../../lambdas/handlers/step';
import type { DeliveryEvent, EventLog } from '../../lambdas/ports/eventLog';
import type { OneTimeSchedule, Scheduler } from '../../lambdas/ports/scheduler';
import type { SendingQuota } from '../../lambdas/ports/sendingQuota';
import type { EmailRenderer } from '../../lambdas/rendering/renderer';
import { deliverySettingsOf, type Settings } from '../../lambdas/shared/settings';
import { type LocalDynamo, type LocalSes, s3Client, startDynamo, startSes } from '../../local/emulators';
import {
  LOCAL_SETTINGS,
  type LocalSender,
  type LocalWorld,
  rootInput,
  senderInput,
} from '../../local/localFunctions';
import { VirtualScheduler, VirtualSendQueue, virtualSecrets } from '../../local/virtualAws';
import { VirtualTimeline } from '../../local/virtualClock';

/** Keeps schedules in memory: the adapter for the real service is tested on its own with a mocked client. */
export class RecordingScheduler implements Scheduler {
  readonly schedules = new Map<string, OneTimeSchedule>();
  readonly cancelled: string[] = [];

  async scheduleOnce(schedule: OneTimeSchedule) {
    if (this.schedules.has(schedule.name)) return 'already-scheduled' as const;
    this.schedules.set(schedule.name, schedule);
    return 'created' as const;
  }

  async cancel(name: string) {
    this.cancelled.push(name);
    return this.schedules.delete(name) ? ('deleted' as const) : ('not-found' as const);
  }
}

export class RecordingEventLog implements EventLog {
  readonly events: (DeliveryEvent & { at: string })[] = [];
  record(event: DeliveryEvent, at: Date): void {
    this.events.push({ ...event, at: at.toISOString() });
  }
}

/** The sample reseller's settings file, with one team lead. */
export const HARNESS_SETTINGS: Settings = { ...LOCAL_SETTINGS, escalationEmails: ['lead@reseller.example'] };

export const TEST_SETTINGS: EvaluationSettings & StepSettings & DigestSettings = {
  ...deliverySettingsOf(HARNESS_SETTINGS),
  playbook: DEFAULT_PLAYBOOK,
  unsubscribeBaseUrl: 'https://unsubscribe.reseller.example',
  actionBaseUrl: 'https://actions.reseller.example',
};

export const TEST_SIGNING_SECRET = 'test-secret-for-unsubscribe-links';

/**
 * dynalite + aws-ses-v2-local, and the delivery functions' own composition roots wired to them (the local run's
 * wiring), with a clock the test sets.
 */
export class DeliveryHarness {
  clock = new Date('2026-03-02T06:00:00Z');
  readonly scheduler = new RecordingScheduler();
  readonly events = new RecordingEventLog();
  readonly store: DynamoPortfolioStore;
  readonly suppressions: DynamoSuppressionList;
  readonly tasks: DynamoTaskBook;
  readonly actions: DynamoOwnerActions;
  /** The digest function's renderer (the step function's carries the customer emails only). */
  readonly renderer: EmailRenderer;
  /** The send queue a waiting step goes back on, on the test's clock. */
  readonly sendQueue = new VirtualSendQueue(() => this.clock);
  readonly sender: SenderDependencies;
  private readonly step: StepDependencies;
  private readonly evaluation: EvaluateDependencies;
  private readonly world: LocalWorld;

  private constructor(
    readonly dynamo: LocalDynamo,
    readonly ses: LocalSes,
  ) {
    const world: LocalWorld = {
      dynamo,
      settings: HARNESS_SETTINGS,
      clients: {
        dynamodb: dynamo.documents,
        ses: ses.client,
        secrets: virtualSecrets(TEST_SIGNING_SECRET),
        // Not used by the delivery functions these tests run.
        s3: s3Client('http://127.0.0.1:9'),
        scheduler: new VirtualScheduler().client,
        sqs: this.sendQueue.client,
      },
      senderSes: ses.senderClient,
      events: this.events,
      now: () => this.clock,
      // The senders' pacing moves the test's clock.
      timeline: new VirtualTimeline({
        now: () => this.clock.getTime(),
        advanceTo: (at) => {
          if (at > this.clock.getTime()) this.clock = new Date(at);
        },
      }),
    };
    this.world = world;
    // SES counts its quota on the test's clock.
    ses.useClock(() => this.clock);
    this.sender = stepRoot(senderInput(world, world.timeline!.join()));
    this.step = this.sender.step;
    this.evaluation = evaluationOf(rootInput('evaluateShard', world));
    this.store = this.step.store as DynamoPortfolioStore;
    this.suppressions = this.step.suppressions as DynamoSuppressionList;
    this.tasks = this.step.tasks as DynamoTaskBook;
    this.renderer = digestRoot(rootInput('digest', world)).renderer;
    this.actions = new DynamoOwnerActions(
      dynamo.documents,
      dynamo.tables.Portfolio!,
      dynamo.tables.Activity!,
      HARNESS_SETTINGS.dataRetentionDays,
    );
  }

  /** The emulators, with SES enforcing `quota` (the local account's by default). */
  static async start(quota?: SendingQuota): Promise<DeliveryHarness> {
    const [dynamo, ses] = await Promise.all([startDynamo(), startSes(quota)]);
    return new DeliveryHarness(dynamo, ses);
  }

  /**
   * Another instance of the step function, as Lambda runs one per concurrent batch: its own pacer on the test's
   * clock; `adapt` may put faults into its ports.
   */
  newSender(adapt: (deps: SenderDependencies) => SenderDependencies = (deps) => deps): LocalSender {
    const sleeper = this.world.timeline!.join();
    return { handler: createStepHandler(adapt(stepRoot(senderInput(this.world, sleeper)))), sleeper };
  }

  /**
   * The send queue's event source mapping at work: from the clock's time, every visible step goes to the senders,
   * the clock moving on to the next visible one, until the queue is empty or `until` comes.
   */
  async drainSendQueue(senders: readonly LocalSender[], until?: Date): Promise<void> {
    for (
      let at = this.sendQueue.nextVisibleAt();
      at && (!until || at < until);
      at = this.sendQueue.nextVisibleAt()
    ) {
      if (at > this.clock) this.clock = at;
      await this.sendQueue.drain(senders);
    }
  }

  async ingest(state: CustomerState): Promise<void> {
    const store = new DynamoIngestStore({
      client: this.dynamo.documents,
      portfolioTable: this.dynamo.tables.Portfolio!,
      activityTable: this.dynamo.tables.Activity!,
      retentionDays: 400,
    });
    const [write] = await store.saveCustomers([{ state, point: usagePointOf(state) }]);
    await store.advancePortfolioDate(state.snapshotDate, write === 'created' ? 1 : 0);
  }

  /** The evaluator's dependencies, with schedules kept in memory for the test to look at. */
  evaluateDeps(): EvaluateDependencies {
    return { ...this.evaluation, scheduler: this.scheduler, settings: TEST_SETTINGS };
  }

  stepDeps(overrides: Partial<StepDependencies> = {}): StepDependencies {
    return { ...this.step, ...overrides };
  }

  /** The ledger the step function writes. */
  get ledger(): DynamoMessageLedger {
    return this.step.ledger as DynamoMessageLedger;
  }

  async close(): Promise<void> {
    await Promise.all([this.dynamo.close(), this.ses.close()]);
  }
}
