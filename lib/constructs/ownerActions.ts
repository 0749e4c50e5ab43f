import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Settings } from '../../lambdas/shared/settings';
import { ClmFunction } from './clmFunction';
import type { Evaluation } from './evaluation';

export interface OwnerActionsProps {
  portfolioTable: Table;
  activityTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  settings: Settings;
  /** Snooze moves a pending escalation: the step schedules' group ARN pattern, role and variables. */
  stepSchedulesArn: string;
  stepRole: Role;
  stepScheduling: Evaluation['stepScheduling'];
}

/**
 * The public endpoint behind the Done, Snooze, Pause, Won't renew and Resume links in the digests: a function URL;
 * each link carries an HMAC-signed token, so no other auth is needed. It reads and writes the two tables, reads
 * the signing secret, and moves or deletes step schedules in their own group; it sends no email.
 */
export class OwnerActions extends Construct {
  readonly function: ClmFunction<'ownerAction'>;
  readonly url: string;

  constructor(scope: Construct, id: string, props: OwnerActionsProps) {
    super(scope, id);
    this.function = new ClmFunction(this, 'OwnerAction', {
      handler: 'ownerAction',
      description: 'Digest action links: confirmation page, then Done, Snooze, Pause, Resume on POST',
      memorySize: 256,
      timeout: Duration.seconds(15),
      environment: {
        PORTFOLIO_TABLE: props.portfolioTable.tableName,
        ACTIVITY_TABLE: props.activityTable.tableName,
        SIGNING_SECRET_ID: props.signingSecret.secretArn,
        ...props.stepScheduling,
      },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url;
    props.portfolioTable.grantReadWriteData(this.function);
    props.activityTable.grantReadWriteData(this.function);
    props.signingSecret.grantRead(this.function);
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [props.stepSchedulesArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [props.stepRole.roleArn] }),
    );
  }
}
