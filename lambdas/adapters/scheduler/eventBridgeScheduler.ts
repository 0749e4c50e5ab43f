import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { atExpression } from '../../domain/delivery/sendTime';
import type { OneTimeSchedule, Scheduler } from '../../ports/scheduler';

export interface EventBridgeSchedulerOptions {
  client: SchedulerClient;
  /** The dedicated group for one-time schedules. */
  groupName: string;
  /** The send queue a schedule delivers its payload to, and the role Scheduler assumes to send it there. */
  queueArn: string;
  roleArn: string;
  /** Standard SQS queue for deliveries to the send queue that still fail after the retries. */
  deadLetterArn: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}

/**
 * One-time EventBridge Scheduler schedules that delete themselves after firing. When one fires, Scheduler puts its
 * payload on the send queue (the sender drains it at the SES rate); its retry policy and dead-letter queue cover
 * only failures to reach the queue. Names are deterministic, so ConflictException means the schedule exists
 * already; throttling is the SDK's to retry (lambdas/shared/awsClients.ts).
 */
export class EventBridgeScheduler implements Scheduler {
  constructor(private readonly options: EventBridgeSchedulerOptions) {}

  async scheduleOnce(schedule: OneTimeSchedule): Promise<'created' | 'already-scheduled'> {
    const o = this.options;
    try {
      await o.client.send(
        new CreateScheduleCommand({
          Name: schedule.name,
          GroupName: o.groupName,
          ScheduleExpression: atExpression(schedule.date, schedule.time),
          ScheduleExpressionTimezone: schedule.timeZone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          State: 'ENABLED',
          Target: {
            Arn: o.queueArn,
            RoleArn: o.roleArn,
            Input: JSON.stringify(schedule.payload),
            DeadLetterConfig: { Arn: o.deadLetterArn },
            RetryPolicy: {
              MaximumRetryAttempts: o.maximumRetryAttempts ?? 10,
              MaximumEventAgeInSeconds: o.maximumEventAgeInSeconds ?? 6 * 3600,
            },
          },
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConflictException) return 'already-scheduled';
      throw error;
    }
  }

  async cancel(name: string): Promise<'deleted' | 'not-found'> {
    try {
      await this.options.client.send(
        new DeleteScheduleCommand({ Name: name, GroupName: this.options.groupName }),
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return 'not-found';
      throw error;
    }
  }
}
