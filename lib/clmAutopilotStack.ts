import {
  Annotations,
  type CfnElement,
  CfnOutput,
  Duration,
  Stack,
  type StackProps,
  Token,
} from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Settings } from '../lambdas/shared/settings';
import type { ClmConfig } from './config';
import type { ClmFunction } from './constructs/clmFunction';
import { DataStore } from './constructs/dataStore';
import { Delivery } from './constructs/delivery';
import { Digest } from './constructs/digest';
import { Evaluation } from './constructs/evaluation';
import { Ingestion } from './constructs/ingestion';
import { Observability } from './constructs/observability';
import { OwnerActions } from './constructs/ownerActions';
import { Sending } from './constructs/sending';
import { SendQueue } from './constructs/sendQueue';
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
  /** Every function, one per handler. */
  readonly functions: ClmFunction[];

  constructor(scope: Construct, id: string, props: ClmAutopilotStackProps) {
    super(scope, id, props);
    const { config } = props;
    const data = new DataStore(this, 'Data', { dataRetentionDays: config.dataRetentionDays });
    const deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    if (config.escalationEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'clm:escalations-to-owners',
        "No -c escalationEmails=lead@your-company.example: escalations go to each customer's account owner.",
      );
    }
    const settings: Settings = {
      dataRetentionDays: config.dataRetentionDays,
      defaultLocale: config.defaultLocale,
      defaultTimezone: config.defaultTimezone,
      sendTime: config.sendTime,
      taskTime: config.taskTime,
      digestTime: config.digestTime,
      escalationEmails: config.escalationEmails,
      brand: config.brand,
      sender: {
        email: config.senderEmail,
        name: config.senderName,
        ...(config.replyToEmail ? { replyTo: config.replyToEmail } : {}),
      },
      customersPerShard: config.customersPerShard,
      senderConcurrency: config.senderConcurrency,
      ...(config.sesDailyQuota && config.sesMaxSendRate
        ? { sendingQuota: { dailyMessages: config.sesDailyQuota, messagesPerSecond: config.sesMaxSendRate } }
        : {}),
      ...(config.defaultOwnerEmail ? { defaultOwnerEmail: config.defaultOwnerEmail } : {}),
      playbook: config.playbook,
      reading: config.reading,
    };
    const tables = { portfolioTable: data.portfolioTable, activityTable: data.activityTable };
    const ingestion = new Ingestion(this, 'Ingestion', {
      ...tables,
      bucket: data.snapshotBucket,
      deadLetters,
      settings,
    });
    const sending = new Sending(this, 'Sending', {
      senderEmail: config.senderEmail,
      ...(config.senderDomain ? { senderDomain: config.senderDomain } : {}),
    });
    const unsubscribe = new Unsubscribe(this, 'Unsubscribe', {
      portfolioTable: data.portfolioTable,
      signingSecret: data.signingSecret,
      deadLetters,
      settings,
    });
    const sendQueue = new SendQueue(this, 'SendQueue', { senderConcurrency: config.senderConcurrency });
    const delivery = new Delivery(this, 'Delivery', {
      ...tables,
      signingSecret: data.signingSecret,
      deadLetters,
      settings,
      sendPermission: sending.sendPermission,
      configurationSetName: sending.configurationSet.configurationSetName,
      unsubscribeUrl: unsubscribe.url,
      sendQueue,
    });
    const evaluation = new Evaluation(this, 'Evaluation', {
      portfolioTable: data.portfolioTable,
      deadLetters,
      settings,
      sendQueue,
      cron: cron(config.evaluationTime, '*'),
      timeZone: config.defaultTimezone,
    });
    const ownerActions = new OwnerActions(this, 'OwnerActions', {
      ...tables,
      signingSecret: data.signingSecret,
      deadLetters,
      settings,
      stepSchedulesArn: evaluation.stepGroup.schedulesArn,
      stepRole: evaluation.stepRole,
      stepScheduling: evaluation.stepScheduling,
    });
    const digest = new Digest(this, 'Digest', {
      ...tables,
      deadLetters,
      settings,
      sendPermission: sending.sendPermission,
      configurationSetName: sending.configurationSet.configurationSetName,
      signingSecret: data.signingSecret,
      actionUrl: ownerActions.url,
      cron: cron(config.digestTime, 'MON-FRI'),
      timeZone: config.defaultTimezone,
    });
    this.functions = [
      ingestion.function,
      evaluation.function,
      evaluation.shardFunction,
      delivery.step,
      digest.function,
      unsubscribe.function,
      ownerActions.function,
      delivery.sesEvents,
    ];
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
      sendDeadLetters: sendQueue.deadLetters,
      configurationSetName: sending.configurationSet.configurationSetName,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      dashboard: config.dashboard,
    });

    const bucketArn = `<${this.getLogicalId(data.snapshotBucket.node.defaultChild as CfnElement)}.Arn>`;
    this.ownWildcards = [
      {
        pattern: `${bucketArn}/snapshots/*`,
        reason: 'Ingest reads any uploaded snapshot file, and only those.',
      },
      {
        pattern: `${bucketArn}/contacts/*`,
        reason: 'Ingest reads any uploaded contacts directory file, and only those.',
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
    if (observability.dashboard)
      new CfnOutput(this, 'DashboardUrl', {
        value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${observability.dashboard.dashboardName}`,
      });
    new CfnOutput(this, 'UnsubscribeUrl', { value: unsubscribe.url });
    new CfnOutput(this, 'OwnerActionUrl', { value: ownerActions.url });
    new CfnOutput(this, 'SigningSecretArn', {
      value: data.signingSecret.secretArn,
      description: 'clm task / clm customer sign their actions with it (needs secretsmanager:GetSecretValue)',
    });
  }
}
