import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ClmFunction } from './clmFunction';
import { RecurringSchedule, schedulerRole } from './scheduling';

export interface DigestProps {
  portfolioTable: Table;
  activityTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  environment: Record<string, string>;
  sendPermission: PolicyStatement;
  cron: string;
  timeZone: string;
}

/** The weekday digests for account owners and team leads, and their schedule. */
export class Digest extends Construct {
  readonly function: ClmFunction;

  constructor(scope: Construct, id: string, props: DigestProps) {
    super(scope, id);
    this.function = new ClmFunction(this, 'Digest', {
      handler: 'digest',
      description: 'Weekday mornings: the owners and team leads digests',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: props.environment,
      deadLetters: props.deadLetters,
    });
    props.portfolioTable.grantReadWriteData(this.function);
    props.activityTable.grantReadWriteData(this.function);
    props.signingSecret.grantRead(this.function);
    this.function.addToRolePolicy(props.sendPermission);
    new RecurringSchedule(this, 'Weekdays', {
      description: 'clm-autopilot weekday digests',
      expression: props.cron,
      timeZone: props.timeZone,
      target: this.function,
      role: schedulerRole(this, 'DigestSchedulerRole', [this.function], props.deadLetters),
      deadLetters: props.deadLetters,
    });
  }
}
