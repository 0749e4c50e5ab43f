import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Settings } from '../../lambdas/shared/settings';
import { ClmFunction } from './clmFunction';
import { RecurringSchedule, StepScheduleGroup, schedulerRole } from './scheduling';
import type { SendQueue } from './sendQueue';

export interface EvaluationProps {
  portfolioTable: Table;
  deadLetters: Queue;
  settings: Settings;
  /** Where each one-time step schedule delivers its payload. */
  sendQueue: SendQueue;
  cron: string;
  timeZone: string;
}

/** A shard worker's time limit; SQS keeps a taken message hidden six times as long, as Lambda advises. */
const SHARD_TIMEOUT = Duration.minutes(15);
/** Shards evaluated at once: a million customers (20 shards) in two rounds, few enough for Scheduler's quotas. */
const SHARD_CONCURRENCY = 10;

/**
 * The nightly evaluation: its schedule, the function that evaluates the portfolio (or splits a large one into
 * scan segments on a queue), the shard workers that take them, and the group and role for the one-time step
 * schedules both create.
 */
export class Evaluation extends Construct {
  readonly function: ClmFunction<'evaluate'>;
  readonly shardFunction: ClmFunction<'evaluateShard'>;
  readonly shardQueue: Queue;
  readonly stepGroup: StepScheduleGroup;
  /** The role one-time step schedules run as, and what a function needs to make them (owner actions move some). */
  readonly stepRole: Role;
  /** The variables a function needs to make step schedules (lambdas/shared/environment.ts). */
  readonly stepScheduling: {
    SCHEDULE_GROUP: string;
    SEND_QUEUE_ARN: string;
    SCHEDULER_ROLE_ARN: string;
    STEP_DLQ_ARN: string;
  };

  constructor(scope: Construct, id: string, props: EvaluationProps) {
    super(scope, id);
    this.stepGroup = new StepScheduleGroup(this, 'StepSchedules');
    const stepRole = props.sendQueue.schedulerRole(this, 'StepSchedulerRole', props.deadLetters);
    this.stepRole = stepRole;
    this.stepScheduling = {
      SCHEDULE_GROUP: this.stepGroup.name,
      SEND_QUEUE_ARN: props.sendQueue.queue.queueArn,
      SCHEDULER_ROLE_ARN: stepRole.roleArn,
      STEP_DLQ_ARN: props.deadLetters.queueArn,
    };
    this.shardQueue = new Queue(this, 'Shards', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(SHARD_TIMEOUT.toMinutes() * 6),
      // A shard is tonight's work: by the next night a fresh split supersedes it.
      retentionPeriod: Duration.hours(12),
      deadLetterQueue: { queue: props.deadLetters, maxReceiveCount: 3 },
    });
    const environment = {
      PORTFOLIO_TABLE: props.portfolioTable.tableName,
      ...this.stepScheduling,
    };
    this.function = new ClmFunction(this, 'Evaluate', {
      handler: 'evaluate',
      description:
        'Nightly: evaluates every customer and schedules the steps of new cases, or splits the night',
      memorySize: 1536,
      timeout: Duration.minutes(15),
      environment: { ...environment, SHARD_QUEUE_URL: this.shardQueue.queueUrl },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    this.shardFunction = new ClmFunction(this, 'EvaluateShard', {
      handler: 'evaluateShard',
      description: 'Nightly, for a large portfolio: evaluates one scan segment',
      memorySize: 1536,
      timeout: SHARD_TIMEOUT,
      environment,
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    this.shardFunction.addEventSource(
      new SqsEventSource(this.shardQueue, { batchSize: 1, maxConcurrency: SHARD_CONCURRENCY }),
    );
    this.shardQueue.grantSendMessages(this.function);
    for (const evaluator of [this.function, this.shardFunction]) {
      // Customers, cases and the email-day book are all in the portfolio table.
      props.portfolioTable.grantReadWriteData(evaluator);
      // One-time schedules in its own group only, and the only role it may hand to Scheduler is the step role.
      evaluator.addToRolePolicy(
        new PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
          resources: [this.stepGroup.schedulesArn],
        }),
      );
      evaluator.addToRolePolicy(
        new PolicyStatement({ actions: ['iam:PassRole'], resources: [stepRole.roleArn] }),
      );
      // The account's sending quota, to plan emails within it (GetAccount takes no resource).
      evaluator.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    }
    new RecurringSchedule(this, 'Nightly', {
      description: 'clm-autopilot nightly evaluation',
      expression: props.cron,
      timeZone: props.timeZone,
      target: this.function,
      role: schedulerRole(this, 'NightlySchedulerRole', [this.function], props.deadLetters),
      deadLetters: props.deadLetters,
    });
  }
}
