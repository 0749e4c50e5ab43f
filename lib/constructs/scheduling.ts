import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A role EventBridge Scheduler assumes to invoke exactly these functions, and send failures to the DLQ. */
export function schedulerRole(scope: Construct, id: string, targets: IFunction[], deadLetters: Queue): Role {
  const account = Stack.of(scope).account;
  const role = new Role(scope, id, {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }),
    description: 'Lets EventBridge Scheduler invoke clm-autopilot functions',
  });
  role.addToPolicy(
    new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: targets.map((t) => t.functionArn) }),
  );
  deadLetters.grantSendMessages(role);
  return role;
}

export interface RecurringScheduleProps {
  description: string;
  /** cron(...) read in the time zone below. */
  expression: string;
  timeZone: string;
  target: IFunction;
  role: Role;
  deadLetters: Queue;
}

/** A recurring schedule (the nightly evaluation, the weekday digests) in the reseller's time zone. */
export class RecurringSchedule extends Construct {
  constructor(scope: Construct, id: string, props: RecurringScheduleProps) {
    super(scope, id);
    new CfnSchedule(this, 'Schedule', {
      description: props.description,
      scheduleExpression: props.expression,
      scheduleExpressionTimezone: props.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.target.functionArn,
        roleArn: props.role.roleArn,
        deadLetterConfig: { arn: props.deadLetters.queueArn },
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}

/** The group that holds the one-time step schedules the evaluator creates. */
export class StepScheduleGroup extends Construct {
  readonly group: CfnScheduleGroup;
  readonly name: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.name = `${Stack.of(this).stackName}-steps`.slice(0, 64);
    this.group = new CfnScheduleGroup(this, 'Group', { name: this.name });
  }

  /** The ARN pattern of the schedules in this group (for scoping CreateSchedule/DeleteSchedule). */
  get schedulesArn(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/${this.name}/*`;
  }
}
