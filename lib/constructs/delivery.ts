import { Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  CfnConfigurationSetEventDestination,
  ConfigurationSet,
  EmailIdentity,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ClmFunction } from './clmFunction';
import { RecurringSchedule, StepScheduleGroup, schedulerRole } from './scheduling';

export interface DeliveryProps {
  portfolioTable: Table;
  activityTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  environment: Record<string, string>;
  senderEmail: string;
  senderDomain?: string;
  evaluationCron: string;
  digestCron: string;
  timeZone: string;
}

/**
 * Evaluation, steps, digests, unsubscribe and bounces: the functions that turn the portfolio into emails and
 * tasks, the schedules that run them, and the SES identity and configuration set they send through.
 */
export class Delivery extends Construct {
  readonly evaluate: ClmFunction;
  readonly step: ClmFunction;
  readonly digest: ClmFunction;
  readonly unsubscribe: ClmFunction;
  readonly sesEvents: ClmFunction;
  readonly unsubscribeUrl: string;
  readonly configurationSet: ConfigurationSet;
  readonly stepGroup: StepScheduleGroup;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const identity = new EmailIdentity(this, 'Sender', {
      identity: props.senderDomain ? Identity.domain(props.senderDomain) : Identity.email(props.senderEmail),
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
    });
    new CfnConfigurationSetEventDestination(this, 'BouncesToEventBridge', {
      configurationSetName: this.configurationSet.configurationSetName,
      eventDestination: {
        enabled: true,
        matchingEventTypes: ['BOUNCE', 'COMPLAINT'],
        eventBridgeDestination: {
          eventBusArn: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
        },
      },
    });

    this.stepGroup = new StepScheduleGroup(this, 'StepSchedules');
    const unsubscribeFn = new ClmFunction(this, 'Unsubscribe', {
      handler: 'unsubscribe',
      description: 'Unsubscribe links: confirmation page and one-click POST',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { ...props.environment, SIGNING_SECRET_ID: props.signingSecret.secretArn },
      deadLetters: props.deadLetters,
    });
    const url = unsubscribeFn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    this.unsubscribe = unsubscribeFn;
    this.unsubscribeUrl = url.url;

    const deliveryEnv = {
      ...props.environment,
      SIGNING_SECRET_ID: props.signingSecret.secretArn,
      CONFIGURATION_SET: this.configurationSet.configurationSetName,
      UNSUBSCRIBE_BASE_URL: url.url,
      SCHEDULE_GROUP: this.stepGroup.name,
      STEP_DLQ_ARN: props.deadLetters.queueArn,
    };
    this.step = new ClmFunction(this, 'Step', {
      handler: 'step',
      description: 'Carries out one step of a case: renders and sends an email, or records a task',
      timeout: Duration.seconds(60),
      environment: deliveryEnv,
      deadLetters: props.deadLetters,
    });
    const stepRole = schedulerRole(this, 'StepSchedulerRole', [this.step], props.deadLetters);
    this.evaluate = new ClmFunction(this, 'Evaluate', {
      handler: 'evaluate',
      description: 'Nightly: evaluates every customer and schedules the steps of new cases',
      memorySize: 1536,
      timeout: Duration.minutes(15),
      environment: {
        ...deliveryEnv,
        STEP_FUNCTION_ARN: this.step.functionArn,
        SCHEDULER_ROLE_ARN: stepRole.roleArn,
      },
      deadLetters: props.deadLetters,
    });
    this.digest = new ClmFunction(this, 'Digest', {
      handler: 'digest',
      description: 'Weekday mornings: the owners and team leads digests',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: deliveryEnv,
      deadLetters: props.deadLetters,
    });
    this.sesEvents = new ClmFunction(this, 'SesEvents', {
      handler: 'sesEvents',
      description: 'Suppresses addresses that bounced or complained and tells the owner',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: props.environment,
      deadLetters: props.deadLetters,
    });

    // Data access, each function what it needs.
    for (const fn of [this.evaluate, this.step, this.digest]) {
      props.portfolioTable.grantReadWriteData(fn);
      props.activityTable.grantReadWriteData(fn);
    }
    props.portfolioTable.grantReadWriteData(this.unsubscribe);
    props.portfolioTable.grantReadWriteData(this.sesEvents);
    props.activityTable.grantReadWriteData(this.sesEvents);
    for (const fn of [this.step, this.digest, this.unsubscribe, this.evaluate])
      props.signingSecret.grantRead(fn);
    const sendPermission = new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        identity.emailIdentityArn,
        `arn:${stack.partition}:ses:${stack.region}:${stack.account}:configuration-set/${this.configurationSet.configurationSetName}`,
      ],
    });
    this.step.addToRolePolicy(sendPermission);
    this.digest.addToRolePolicy(sendPermission);
    // The evaluator manages one-time schedules in its own group only, and may hand Scheduler only the step role.
    this.evaluate.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.stepGroup.schedulesArn],
      }),
    );
    this.evaluate.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [stepRole.roleArn] }),
    );

    const recurringRole = schedulerRole(
      this,
      'RecurringSchedulerRole',
      [this.evaluate, this.digest],
      props.deadLetters,
    );
    new RecurringSchedule(this, 'NightlyEvaluation', {
      description: 'clm-autopilot nightly evaluation',
      expression: props.evaluationCron,
      timeZone: props.timeZone,
      target: this.evaluate,
      role: recurringRole,
      deadLetters: props.deadLetters,
    });
    new RecurringSchedule(this, 'WeekdayDigests', {
      description: 'clm-autopilot weekday digests',
      expression: props.digestCron,
      timeZone: props.timeZone,
      target: this.digest,
      role: recurringRole,
      deadLetters: props.deadLetters,
    });

    new Rule(this, 'BouncesAndComplaints', {
      description: 'SES bounces and complaints of the clm-autopilot configuration set',
      eventPattern: { source: ['aws.ses'], detailType: ['Email Bounced', 'Email Complaint Received'] },
      targets: [new LambdaFunction(this.sesEvents, { deadLetterQueue: props.deadLetters, retryAttempts: 3 })],
    });
  }
}
