import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Settings } from '../../lambdas/shared/settings';
import { ClmFunction } from './clmFunction';
import { SENDER_TIMEOUT, type SendQueue } from './sendQueue';

export interface DeliveryProps {
  portfolioTable: Table;
  activityTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  settings: Settings;
  sendPermission: PolicyStatement;
  configurationSetName: string;
  /** The unsubscribe function's URL, for the links in every customer email. */
  unsubscribeUrl: string;
  /** The queue the step schedules fill and the step function drains at the SES rate. */
  sendQueue: SendQueue;
}

/**
 * Carrying out steps: the function that drains the send queue the one-time schedules fill (render, send at the SES
 * rate, record tasks), and the handler that turns SES bounces and complaints into suppressions and owner tasks.
 */
export class Delivery extends Construct {
  readonly step: ClmFunction<'step'>;
  readonly sesEvents: ClmFunction<'sesEvents'>;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    this.step = new ClmFunction(this, 'Step', {
      handler: 'step',
      description:
        'Carries out steps from the send queue: renders and sends emails at the SES rate, records tasks',
      timeout: SENDER_TIMEOUT,
      environment: {
        PORTFOLIO_TABLE: props.portfolioTable.tableName,
        ACTIVITY_TABLE: props.activityTable.tableName,
        SIGNING_SECRET_ID: props.signingSecret.secretArn,
        CONFIGURATION_SET: props.configurationSetName,
        UNSUBSCRIBE_BASE_URL: props.unsubscribeUrl,
        SEND_QUEUE_URL: props.sendQueue.queue.queueUrl,
      },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    props.sendQueue.attachSender(this.step);
    props.portfolioTable.grantReadWriteData(this.step);
    props.activityTable.grantReadWriteData(this.step);
    props.signingSecret.grantRead(this.step);
    this.step.addToRolePolicy(props.sendPermission);
    // The sending quota it paces to (SES GetAccount takes no resource).
    if (!props.settings.sendingQuota)
      this.step.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));

    this.sesEvents = new ClmFunction(this, 'SesEvents', {
      handler: 'sesEvents',
      description: 'Suppresses addresses that bounced or complained and tells the owner',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        PORTFOLIO_TABLE: props.portfolioTable.tableName,
        ACTIVITY_TABLE: props.activityTable.tableName,
      },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    // Reads the customer's owner, suppresses the address; adds the owner's task.
    props.portfolioTable.grantReadWriteData(this.sesEvents);
    props.activityTable.grantWriteData(this.sesEvents);
    new Rule(this, 'BouncesAndComplaints', {
      description: 'SES bounces and complaints of the clm-autopilot configuration set',
      eventPattern: { source: ['aws.ses'], detailType: ['Email Bounced', 'Email Complaint Received'] },
      targets: [new LambdaFunction(this.sesEvents, { deadLetterQueue: props.deadLetters, retryAttempts: 3 })],
    });
  }
}
