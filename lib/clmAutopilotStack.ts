import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ClmConfig } from './config';
import { DataStore } from './constructs/dataStore';
import { Delivery } from './constructs/delivery';
import { Digest } from './constructs/digest';
import { Evaluation } from './constructs/evaluation';
import { Ingestion } from './constructs/ingestion';
import { Observability } from './constructs/observability';
import { OwnerActions } from './constructs/ownerActions';
import { Sending } from './constructs/sending';
import { Unsubscribe } from './constructs/unsubscribe';
import type { OwnWildcard } from './nag';

export interface ClmAutopilotStackProps extends StackProps {
  config: ClmConfig;
}

/** How cdk-nag prints a value: the literal, or the pseudo parameter when the stack is environment-agnostic. */
function token(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? pseudo : value;
}

function cron(time: string, days: string): string {
  const [hours, minutes] = time.split(':');
  return `cron(${Number(minutes)} ${Number(hours)} ? * ${days} *)`;
}

/** The whole app: stateful data, then the capabilities that read and write it. */
export class ClmAutopilotStack extends Stack {
  /** Resource wildcards inside our own resources, for the cdk-nag acknowledgements. */
  readonly ownWildcards: OwnWildcard[];

  constructor(scope: Construct, id: string, props: ClmAutopilotStackProps) {
    super(scope, id, props);
    const { config } = props;
    const data = new DataStore(this, 'Data', { dataRetentionDays: config.dataRetentionDays });
    const deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const environment: Record<string, string> = {
      PORTFOLIO_TABLE: data.portfolioTable.tableName,
      ACTIVITY_TABLE: data.activityTable.tableName,
      DATA_RETENTION_DAYS: String(config.dataRetentionDays),
      DEFAULT_LOCALE: config.defaultLocale,
      DEFAULT_TIMEZONE: config.defaultTimezone,
      SEND_TIME: config.sendTime,
      DIGEST_TIME: config.digestTime,
      ESCALATION_EMAILS: config.escalationEmails.join(','),
      BRAND: JSON.stringify(config.brand),
      SENDER_EMAIL: config.senderEmail,
      SENDER_NAME: config.senderName,
      ...(config.replyToEmail ? { REPLY_TO_EMAIL: config.replyToEmail } : {}),
      ...(config.playbook ? { PLAYBOOK: JSON.stringify(config.playbook) } : {}),
    };
    const ingestion = new Ingestion(this, 'Ingestion', {
      bucket: data.snapshotBucket,
      portfolioTable: data.portfolioTable,
      activityTable: data.activityTable,
      deadLetters,
      environment,
    });
    const sending = new Sending(this, 'Sending', {
      senderEmail: config.senderEmail,
      ...(config.senderDomain ? { senderDomain: config.senderDomain } : {}),
    });
    const unsubscribe = new Unsubscribe(this, 'Unsubscribe', {
      portfolioTable: data.portfolioTable,
      signingSecret: data.signingSecret,
      deadLetters,
      environment,
    });
    const deliveryEnvironment = {
      ...environment,
      SIGNING_SECRET_ID: data.signingSecret.secretArn,
      CONFIGURATION_SET: sending.configurationSet.configurationSetName,
      UNSUBSCRIBE_BASE_URL: unsubscribe.url,
    };
    const shared = {
      portfolioTable: data.portfolioTable,
      activityTable: data.activityTable,
      signingSecret: data.signingSecret,
      deadLetters,
      environment: deliveryEnvironment,
    };
    const delivery = new Delivery(this, 'Delivery', { ...shared, sendPermission: sending.sendPermission });
    const evaluation = new Evaluation(this, 'Evaluation', {
      ...shared,
      stepFunction: delivery.step,
      cron: cron(config.evaluationTime, '*'),
      timeZone: config.defaultTimezone,
      customersPerShard: config.customersPerShard,
    });
    const ownerActions = new OwnerActions(this, 'OwnerActions', {
      ...shared,
      stepSchedulesArn: evaluation.stepGroup.schedulesArn,
      stepRole: evaluation.stepRole,
      stepScheduling: evaluation.stepScheduling,
    });
    const digest = new Digest(this, 'Digest', {
      ...shared,
      environment: { ...deliveryEnvironment, ACTION_BASE_URL: ownerActions.url },
      sendPermission: sending.sendPermission,
      cron: cron(config.digestTime, 'MON-FRI'),
      timeZone: config.defaultTimezone,
    });
    const observability = new Observability(this, 'Observability', {
      functions: {
        Ingest: ingestion.function,
        Evaluate: evaluation.function,
        EvaluateShard: evaluation.shardFunction,
        Step: delivery.step,
        Digest: digest.function,
        Unsubscribe: unsubscribe.function,
        OwnerAction: ownerActions.function,
        SesEvents: delivery.sesEvents,
      },
      deadLetters,
      configurationSetName: sending.configurationSet.configurationSetName,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    const bucketArn = `<${this.getLogicalId(data.snapshotBucket.node.defaultChild as CfnElement)}.Arn>`;
    this.ownWildcards = [
      {
        pattern: `${bucketArn}/snapshots/*`,
        reason: 'Ingest reads any uploaded snapshot file, and only those.',
      },
      {
        pattern: `${bucketArn}/reports/*`,
        reason: 'Ingest writes the report of each file, and only reports.',
      },
      {
        pattern: `arn:<AWS::Partition>:scheduler:${token(this.region, '<AWS::Region>')}:${token(this.account, '<AWS::AccountId>')}:schedule/${evaluation.stepGroup.name}/*`,
        reason:
          'The evaluator (and the owner-action function, when a task is snoozed) creates and deletes the one-time step schedules inside their own group only.',
      },
    ];

    new CfnOutput(this, 'SnapshotBucketName', {
      value: data.snapshotBucket.bucketName,
      description: 'Upload snapshot files here, under snapshots/',
    });
    new CfnOutput(this, 'UploadCommand', {
      value: `npx clm upload my-export.csv --stack ${this.stackName} --region ${this.region}`,
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${observability.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'UnsubscribeUrl', { value: unsubscribe.url });
    new CfnOutput(this, 'OwnerActionUrl', { value: ownerActions.url });
  }
}
