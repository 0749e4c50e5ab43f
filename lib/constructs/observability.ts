import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Alias } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../../lambdas/shared/observability';

export interface ObservabilityProps {
  functions: Record<string, LambdaFunction>;
  deadLetters: Queue;
  /** Steps that kept failing in the sender (throttling never lands here). */
  sendDeadLetters: Queue;
  configurationSetName: string;
  alarmEmail?: string;
  /**
   * A CloudWatch dashboard of emails, cases, tasks and ingest. Off unless asked for: CloudWatch bills a dashboard
   * $3 a month beyond an account's first three, more than the rest of the stack at 10,000 customers, and the
   * alarms already tell someone when to look.
   */
  dashboard?: boolean;
}

/** Alarms that page someone (through SNS to alarmEmail) and, if asked for, a dashboard of what the system did. */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard | undefined;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', {
      displayName: 'clm-autopilot alarms',
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.topic.addSubscription(
        new EmailSubscription(props.alarmEmail, { deadLetterQueue: props.deadLetters }),
      );
    }
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: Metric | MathExpression, threshold: number, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      return a;
    };

    alarm(
      'DeadLetters',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      'An invocation failed for good: look at the dead-letter queue',
    );
    alarm(
      'SendDeadLetters',
      props.sendDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      'A step failed on every receive from the send queue: look at the send dead-letter queue',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), 1, `${name} function errors`);
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
        1,
        `${name} function throttled`,
      );
    }
    const custom = (name: string, statistic = 'Sum', period = Duration.days(1)) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: 'clm-autopilot' },
        statistic,
        period,
      });
    alarm(
      'IngestRejects',
      custom(METRIC.ingestRejects, 'Sum', Duration.hours(1)),
      50,
      'Many snapshot rows rejected: check the ingest reports',
    );
    alarm(
      'IngestFailedFiles',
      custom(METRIC.ingestFailedFiles, 'Sum', Duration.hours(1)),
      1,
      'A snapshot file could not be used at all: its report under reports/ says why',
    );
    alarm(
      'StepsRescheduled',
      custom(METRIC.stepsRescheduled),
      1,
      'The nightly sweep found steps whose schedule was lost and scheduled them again: look at the step dead letters',
    );
    const ses = (name: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName: name,
        dimensionsMap: { 'ses:configuration-set': props.configurationSetName },
        statistic: 'Average',
        period: Duration.hours(1),
      });
    alarm(
      'BounceRate',
      ses('Reputation.BounceRate'),
      0.05,
      'Bounce rate at 5 %: SES reviews accounts above 10 %',
    );
    alarm(
      'ComplaintRate',
      ses('Reputation.ComplaintRate'),
      0.001,
      'Complaint rate at 0.1 %: SES reviews accounts above 0.5 %',
    );

    if (!props.dashboard) return;
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-overview`,
    });
    this.dashboard = dashboard;
    // Emails and cases carry a play dimension: a search draws one line per play.
    const byPlay = (name: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},play,service} MetricName="${name}"', 'Sum', 86400)`,
        usingMetrics: {},
        label: name,
        period: Duration.days(1),
      });
    dashboard.addWidgets(
      new GraphWidget({ title: 'Emails sent by play, per day', left: [byPlay(METRIC.emailSent)], width: 12 }),
      new GraphWidget({
        title: 'Cases opened and resolved, by play',
        left: [byPlay(METRIC.caseOpened), byPlay(METRIC.caseResolved)],
        width: 12,
      }),
      new GraphWidget({
        title: 'Tasks and escalations',
        left: [custom(METRIC.taskRecorded), custom(METRIC.escalation)],
        width: 12,
      }),
      new GraphWidget({
        title: 'Ingest rows, rejects and unusable files',
        left: [custom(METRIC.ingestRows), custom(METRIC.ingestRejects)],
        right: [custom(METRIC.ingestFailedFiles)],
        width: 12,
      }),
    );
  }
}
