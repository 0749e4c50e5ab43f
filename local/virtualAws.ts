import { ConflictException, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { localTimeToUtc } from '../lambdas/domain/delivery/sendTime';
import { CLIENT_CONFIG } from '../lambdas/shared/awsClients';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';

// EventBridge Scheduler, SQS and Secrets Manager have no local emulator: these are the real SDK clients with the
// service answered in process (a middleware that replaces the network call), so every adapter runs unchanged.

type Answer = (command: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

interface SdkClient {
  middlewareStack: {
    add: (
      middleware: (next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => unknown,
      options: { step: 'initialize'; name: string },
    ) => void;
  };
}

function answeredInProcess<C>(client: C, answer: Answer): C {
  (client as unknown as SdkClient).middlewareStack.add(
    (_next, context) => async (args) => ({
      output: {
        $metadata: {},
        ...(await answer(context.commandName ?? '', args.input as Record<string, unknown>)),
      },
      response: {},
    }),
    { step: 'initialize', name: 'answeredInProcess' },
  );
  return client;
}

const config = { ...CLIENT_CONFIG, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };

export interface DueSchedule {
  name: string;
  at: Date;
  /** What Scheduler hands the target: the schedule's Input. */
  payload: unknown;
}

/**
 * EventBridge Scheduler as a virtual clock: a one-time schedule fires when the clock passes its `at()` time in its
 * zone, once, and is then deleted (ActionAfterCompletion DELETE).
 */
export class VirtualScheduler {
  private readonly pending = new Map<string, DueSchedule>();
  readonly client = answeredInProcess(new SchedulerClient(config), async (command, input) => {
    const name = `${String(input.GroupName)}/${String(input.Name)}`;
    if (command === 'CreateScheduleCommand') {
      if (this.pending.has(name))
        throw new ConflictException({ message: `schedule ${name} exists`, Message: 'exists', $metadata: {} });
      const [, date, time] =
        /^at\((\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(String(input.ScheduleExpression)) ?? [];
      const target = input.Target as { Input: string };
      this.pending.set(name, {
        name,
        at: localTimeToUtc(date!, time as never, String(input.ScheduleExpressionTimezone)),
        payload: JSON.parse(target.Input),
      });
      return { ScheduleArn: `arn:aws:scheduler:${LOCAL_REGION}:000000000000:schedule/${name}` };
    }
    if (command === 'DeleteScheduleCommand') {
      if (!this.pending.delete(name))
        throw new ResourceNotFoundException({
          message: `schedule ${name} not found`,
          Message: 'not found',
          $metadata: {},
        });
      return {};
    }
    throw new Error(`the virtual scheduler does not answer ${command}`);
  });

  /** Removes and returns the schedules due strictly before `until`, earliest first. */
  takeDueBefore(until: Date): DueSchedule[] {
    const due = [...this.pending.values()]
      .filter((p) => p.at < until)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.name < b.name ? -1 : 1));
    for (const p of due) this.pending.delete(p.name);
    return due;
  }

  get size(): number {
    return this.pending.size;
  }
}

/** An SQS queue in process: messages sent wait until the run hands them to the worker as SQS records. */
export class VirtualQueue {
  private readonly messages: SQSRecord[] = [];
  private sequence = 0;
  readonly client = answeredInProcess(new SQSClient(config), async (command, input) => {
    if (command !== 'SendMessageBatchCommand')
      throw new Error(`the virtual queue does not answer ${command}`);
    const entries = input.Entries as { Id: string; MessageBody: string }[];
    for (const entry of entries) this.messages.push(this.recordOf(String(input.QueueUrl), entry.MessageBody));
    return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${this.sequence}` })), Failed: [] };
  });

  /** Every message waiting, as the records of one event each (the stack's batch size is one). */
  take(): SQSRecord[] {
    return this.messages.splice(0);
  }

  private recordOf(queueUrl: string, body: string): SQSRecord {
    const id = `m-${++this.sequence}`;
    return {
      messageId: id,
      receiptHandle: id,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:000000000000:${queueUrl.split('/').pop()}`,
      awsRegion: LOCAL_REGION,
    };
  }
}

/** Secrets Manager holding one string secret. */
export function virtualSecrets(value: string): SecretsManagerClient {
  return answeredInProcess(new SecretsManagerClient(config), async (command) => {
    if (command !== 'GetSecretValueCommand') throw new Error(`the virtual secrets do not answer ${command}`);
    return { SecretString: value };
  });
}
