import { DynamoEmailDayBook } from '../../lambdas/adapters/dynamodb/dynamoEmailDayBook';
import { DynamoIngestStore } from '../../lambdas/adapters/dynamodb/dynamoIngestStore';
import { DynamoOwnerActions } from '../../lambdas/adapters/dynamodb/dynamoOwnerActions';
import {
  DynamoMessageLedger,
  DynamoPortfolioStore,
} from '../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { DynamoSuppressionList } from '../../lambdas/adapters/dynamodb/dynamoSuppressionList';
import { DynamoTaskBook } from '../../lambdas/adapters/dynamodb/dynamoTaskBook';
import { SesMailer } from '../../lambdas/adapters/ses/sesMailer';
import type { EvaluateDependencies } from '../../lambdas/delivery/evaluatePortfolio';
import type { StepDependencies } from '../../lambdas/delivery/runStep';
import type { EvaluationSettings } from '../../lambdas/delivery/settings';
import { type CustomerState, usagePointOf } from '../../lambdas/domain/customer';
import { DEFAULT_PLAYBOOK } from '../../lambdas/domain/playbook/playbook';
import type { DeliveryEvent, EventLog } from '../../lambdas/ports/eventLog';
import type { OneTimeSchedule, Scheduler } from '../../lambdas/ports/scheduler';
import { COMPILED_TEMPLATES } from '../../lambdas/rendering/compiledTemplates';
import { EmailRenderer } from '../../lambdas/rendering/renderer';
import { SAMPLE_BRAND } from '../../local/emailSamples';
import { type LocalDynamo, type LocalSes, startDynamo, startSes } from '../../local/emulators';

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

export const TEST_SETTINGS: EvaluationSettings = {
  playbook: DEFAULT_PLAYBOOK,
  sendTime: '09:30',
  taskTime: '07:00',
  digestTime: '08:00',
  defaultLocale: 'en',
  defaultTimezone: 'Europe/Berlin',
  escalationEmails: ['lead@reseller.example'],
  brand: SAMPLE_BRAND,
  unsubscribeBaseUrl: 'https://unsubscribe.reseller.example',
  actionBaseUrl: 'https://actions.reseller.example',
};

/** dynalite + aws-ses-v2-local with every delivery adapter wired to them, and a clock the test sets. */
export class DeliveryHarness {
  clock = new Date('2026-03-02T06:00:00Z');
  readonly scheduler = new RecordingScheduler();
  readonly events = new RecordingEventLog();
  readonly store: DynamoPortfolioStore;
  readonly suppressions: DynamoSuppressionList;
  readonly tasks: DynamoTaskBook;
  readonly actions: DynamoOwnerActions;

  private constructor(
    readonly dynamo: LocalDynamo,
    readonly ses: LocalSes,
    readonly renderer: EmailRenderer,
  ) {
    this.store = new DynamoPortfolioStore({
      client: dynamo.documents,
      portfolioTable: dynamo.tables.Portfolio!,
      retentionDays: 400,
    });
    this.suppressions = new DynamoSuppressionList(dynamo.documents, dynamo.tables.Portfolio!);
    this.tasks = new DynamoTaskBook(dynamo.documents, dynamo.tables.Activity!, 400);
    this.actions = new DynamoOwnerActions(
      dynamo.documents,
      dynamo.tables.Portfolio!,
      dynamo.tables.Activity!,
      400,
    );
  }

  static async start(): Promise<DeliveryHarness> {
    const [dynamo, ses] = await Promise.all([startDynamo(), startSes()]);
    const renderer = new EmailRenderer(COMPILED_TEMPLATES);
    return new DeliveryHarness(dynamo, ses, renderer);
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

  evaluateDeps(): EvaluateDependencies {
    return {
      store: this.store,
      emailDays: new DynamoEmailDayBook(this.dynamo.documents, this.dynamo.tables.Portfolio!),
      scheduler: this.scheduler,
      events: this.events,
      settings: TEST_SETTINGS,
      now: () => this.clock,
    };
  }

  stepDeps(overrides: Partial<StepDependencies> = {}): StepDependencies {
    return {
      store: this.store,
      ledger: new DynamoMessageLedger(this.dynamo.documents, this.dynamo.tables.Activity!, 400),
      suppressions: this.suppressions,
      tasks: this.tasks,
      pauses: this.actions,
      mailer: new SesMailer({
        client: this.ses.client,
        senderEmail: 'success@reseller.example',
        senderName: 'Northwind Licensing',
        configurationSetName: 'clm-autopilot',
      }),
      renderer: this.renderer,
      events: this.events,
      settings: TEST_SETTINGS,
      secret: async () => 'test-secret-for-unsubscribe-links',
      now: () => this.clock,
      ...overrides,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.dynamo.close(), this.ses.close()]);
  }
}
