import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
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
}

/** The nightly evaluation, its schedule, and the group and role for the one-time step schedules it creates. */
export class Evaluation extends Construct {
  readonly function: ClmFunction;
  readonly stepGroup: StepScheduleGroup;

  constructor(scope: Construct, id: string, props: EvaluationProps) {
    super(scope, id);
    this.stepGroup = new StepScheduleGroup(this, 'StepSchedules');
    const stepRole = schedulerRole(this, 'StepSchedulerRole', [props.stepFunction], props.deadLetters);
    this.function = new ClmFunction(this, 'Evaluate', {
      handler: 'evaluate',
      description: 'Nightly: evaluates every customer and schedules the steps of new cases',
      memorySize: 1536,
      timeout: Duration.minutes(15),
      environment: {
        ...props.environment,
        SCHEDULE_GROUP: this.stepGroup.name,
        STEP_FUNCTION_ARN: props.stepFunction.functionArn,
        SCHEDULER_ROLE_ARN: stepRole.roleArn,
        STEP_DLQ_ARN: props.deadLetters.queueArn,
      },
      deadLetters: props.deadLetters,
    });
    props.portfolioTable.grantReadWriteData(this.function);
    props.activityTable.grantReadWriteData(this.function);
    props.signingSecret.grantRead(this.function);
    // One-time schedules in its own group only, and the only role it may hand to Scheduler is the step role.
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.stepGroup.schedulesArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [stepRole.roleArn] }),
    );
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
