import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ClmFunction } from './clmFunction';
import { RecurringSchedule, StepScheduleGroup, schedulerRole } from './scheduling';

export interface EvaluationProps {
  portfolioTable: Table;
  activityTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  environment: Record<string, string>;
  /** The function each one-time schedule invokes. */
  stepFunction: ClmFunction;
  cron: string;
  timeZone: string;
  /** The most customers one invocation evaluates before the night is split into shards. */
  customersPerShard: number;
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
  readonly function: ClmFunction;
  readonly shardFunction: ClmFunction;
  readonly shardQueue: Queue;
  readonly stepGroup: StepScheduleGroup;
  /** The role one-time step schedules run as, and what a function needs to make them (owner actions move some). */
  readonly stepRole: Role;
  readonly stepScheduling: Record<string, string>;

  constructor(scope: Construct, id: string, props: EvaluationProps) {
    super(scope, id);
    this.stepGroup = new StepScheduleGroup(this, 'StepSchedules');
    const stepRole = schedulerRole(this, 'StepSchedulerRole', [props.stepFunction], props.deadLetters);
    this.stepRole = stepRole;
    this.stepScheduling = {
      SCHEDULE_GROUP: this.stepGroup.name,
      STEP_FUNCTION_ARN: props.stepFunction.functionArn,
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
      ...props.environment,
      ...this.stepScheduling,
      CUSTOMERS_PER_SHARD: String(props.customersPerShard),
    };
    this.function = new ClmFunction(this, 'Evaluate', {
      handler: 'evaluate',
      description:
        'Nightly: evaluates every customer and schedules the steps of new cases, or splits the night',
      memorySize: 1536,
      timeout: Duration.minutes(15),
      environment: { ...environment, SHARD_QUEUE_URL: this.shardQueue.queueUrl },
      deadLetters: props.deadLetters,
    });
    this.shardFunction = new ClmFunction(this, 'EvaluateShard', {
      handler: 'evaluateShard',
      description: 'Nightly, for a large portfolio: evaluates one scan segment',
      memorySize: 1536,
      timeout: SHARD_TIMEOUT,
      environment,
      deadLetters: props.deadLetters,
    });
    this.shardFunction.addEventSource(
      new SqsEventSource(this.shardQueue, { batchSize: 1, maxConcurrency: SHARD_CONCURRENCY }),
    );
    this.shardQueue.grantSendMessages(this.function);
    props.portfolioTable.grantReadWriteData(this.function);
    props.activityTable.grantReadWriteData(this.function);
    props.signingSecret.grantRead(this.function);
    props.portfolioTable.grantReadWriteData(this.shardFunction);
    for (const evaluator of [this.function, this.shardFunction]) {
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
