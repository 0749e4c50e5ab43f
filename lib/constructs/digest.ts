import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Settings } from '../../lambdas/shared/settings';
import { ClmFunction } from './clmFunction';
import { RecurringSchedule, schedulerRole } from './scheduling';

export interface DigestProps {
  portfolioTable: Table;
  activityTable: Table;
  deadLetters: Queue;
  settings: Settings;
  sendPermission: PolicyStatement;
  configurationSetName: string;
  /** Signs the action links in the digests. */
  signingSecret: Secret;
  /** The owner-action function's URL, for those links. */
  actionUrl: string;
  cron: string;
  timeZone: string;
}

/** The weekday digests for account owners and team leads, and their schedule. */
export class Digest extends Construct {
  readonly function: ClmFunction<'digest'>;

  constructor(scope: Construct, id: string, props: DigestProps) {
    super(scope, id);
    this.function = new ClmFunction(this, 'Digest', {
      handler: 'digest',
      description: 'Weekday mornings: the owners and team leads digests',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: {
        PORTFOLIO_TABLE: props.portfolioTable.tableName,
        ACTIVITY_TABLE: props.activityTable.tableName,
        CONFIGURATION_SET: props.configurationSetName,
        SIGNING_SECRET_ID: props.signingSecret.secretArn,
        ACTION_BASE_URL: props.actionUrl,
      },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    // Reads the portfolio; the ledger (one digest a day) and the task book are in the activity table.
    props.portfolioTable.grantReadData(this.function);
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
