import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeScheduler } from '../../../lambdas/adapters/scheduler/eventBridgeScheduler';
import { SCHEDULE_NAME, scheduleName } from '../../../lambdas/domain/delivery/scheduleName';
import { localTimeToUtc } from '../../../lambdas/domain/delivery/sendTime';

const scheduler = mockClient(SchedulerClient);
afterEach(() => {
  scheduler.reset();
});

const adapter = () =>
  new EventBridgeScheduler({
    client: new SchedulerClient({ region: 'eu-central-1' }),
    groupName: 'clm-steps',
    queueArn: 'arn:aws:sqs:eu-central-1:111122223333:clm-send',
    roleArn: 'arn:aws:iam::111122223333:role/clm-scheduler',
    deadLetterArn: 'arn:aws:sqs:eu-central-1:111122223333:clm-step-dlq',
  });

describe('EventBridge Scheduler adapter', () => {
  it('creates a one-time schedule at local send time in the recipient zone that puts its payload on the send queue, deleted after it fires', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const name = scheduleName('step', 'C-0001#renewal#2027-03-02', '0');

    // Act
    const outcome = await adapter().scheduleOnce({
      name,
      date: '2026-12-08',
      time: '09:30',
      timeZone: 'Europe/Berlin',
      payload: { caseId: 'C-0001#renewal#2027-03-02', step: 0 },
    });

    // Assess
    expect(outcome).toBe('created');
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toEqual({
      Name: name,
      GroupName: 'clm-steps',
      ScheduleExpression: 'at(2026-12-08T09:30:00)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: 'arn:aws:sqs:eu-central-1:111122223333:clm-send',
        RoleArn: 'arn:aws:iam::111122223333:role/clm-scheduler',
        Input: '{"caseId":"C-0001#renewal#2027-03-02","step":0}',
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-central-1:111122223333:clm-step-dlq' },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21_600 },
      },
    });
  });

  it('takes ConflictException as already scheduled, and leaves throttling to the SDK', async () => {
    // Prepare: the mock answers above the SDK's retry strategy, so a throttle here is one the SDK gave up on
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const request = {
      name: 'step-x',
      date: '2026-12-08',
      time: '09:30' as const,
      timeZone: 'UTC',
      payload: {},
    };

    // Act
    const throttled = await adapter()
      .scheduleOnce(request)
      .catch((error: unknown) => error);
    const outcome = await adapter().scheduleOnce(request);

    // Assess
    expect(throttled).toMatchObject({ name: 'ThrottlingException' });
    expect(outcome).toBe('already-scheduled');
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(2);
  });

  it('tolerates cancelling a schedule that already fired', async () => {
    // Prepare
    scheduler
      .on(DeleteScheduleCommand, { Name: 'gone' })
      .rejects(
        new ResourceNotFoundException({
          message: 'no such schedule',
          Message: 'no such schedule',
          $metadata: {},
        }),
      )
      .on(DeleteScheduleCommand, { Name: 'pending' })
      .resolves({});

    // Act
    const results = [await adapter().cancel('gone'), await adapter().cancel('pending')];

    // Assess
    expect(results).toEqual(['not-found', 'deleted']);
    expect(scheduler.commandCalls(DeleteScheduleCommand)[1]!.args[0].input).toEqual({
      Name: 'pending',
      GroupName: 'clm-steps',
    });
  });
});

describe('schedule names', () => {
  it('always fit 1–64 characters of [0-9a-zA-Z-_.], and the same identity gives the same name', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 120 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const name = scheduleName('step', ...parts);
        expect(name).toMatch(SCHEDULE_NAME);
        expect(scheduleName('step', ...parts)).toBe(name);
      }),
      { numRuns: 500 },
    );
  });

  it('tells different steps apart even when their readable parts look alike', () => {
    expect(scheduleName('step', 'C 1#renewal', '0')).not.toBe(scheduleName('step', 'C-1#renewal', '0'));
    expect(scheduleName('step', 'Ü#welcome', '0')).not.toBe(scheduleName('step', 'Ö#welcome', '0'));
  });
});

describe('send times across daylight-saving changes (Europe/Berlin)', () => {
  it.each([
    ['Friday before the spring change', '2026-03-27', '2026-03-27T08:30:00.000Z'],
    ['Monday after the spring change', '2026-03-30', '2026-03-30T07:30:00.000Z'],
    ['Friday before the autumn change', '2026-10-23', '2026-10-23T07:30:00.000Z'],
    ['Monday after the autumn change', '2026-10-26', '2026-10-26T08:30:00.000Z'],
  ])('%s: 09:30 local stays 09:30 local', (_when, date, utc) => {
    // Act
    const instant = localTimeToUtc(date, '09:30', 'Europe/Berlin');

    // Assess
    expect(instant.toISOString()).toBe(utc);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
    }).format(instant);
    expect(local).toBe('09:30');
  });

  it('moves a time that the spring change skips forward, and takes the first of a repeated autumn time', () => {
    expect(localTimeToUtc('2026-03-29', '02:30', 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(localTimeToUtc('2026-10-25', '02:30', 'Europe/Berlin').toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});
