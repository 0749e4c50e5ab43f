import { ConflictException, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localTimeToUtc } from '../lambdas/domain/delivery/sendTime';
import { CLIENT_CONFIG } from '../lambdas/shared/awsClients';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';
import type { Sleeper } from './virtualClock';

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
 * zone, once, and is then deleted (ActionAfterCompletion DELETE). Firing puts its payload on the send queue, the
 * schedules' target.
 */
export class VirtualScheduler {
  private readonly pending = new Map<string, DueSchedule>();

  constructor(private readonly target?: VirtualSendQueue) {}
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

  /** When the earliest waiting schedule fires, if any does. */
  nextDueAt(): Date | undefined {
    let next: Date | undefined;
    for (const p of this.pending.values()) if (!next || p.at < next) next = p.at;
    return next;
  }

  /** Fires every schedule due at or before `at`: its payload goes on the send queue, visible from its time. */
  fireDue(at: Date): number {
    const due = this.takeDueBefore(new Date(at.getTime() + 1));
    for (const p of due) this.target!.deliver(JSON.stringify(p.payload), p.at);
    return due.length;
  }

  get size(): number {
    return this.pending.size;
  }
}

/** An SQS queue in process: messages sent wait until the run hands them to the worker as SQS records. */
export class VirtualQueue {
  private readonly messages: SQSRecord[] = [];
  private sequence = 0;
  /** SQS's answer to a request for this queue. */
  readonly answer: Answer = async (command, input) => {
    if (command !== 'SendMessageBatchCommand')
      throw new Error(`the virtual queue does not answer ${command}`);
    const entries = input.Entries as { Id: string; MessageBody: string }[];
    for (const entry of entries) this.messages.push(this.recordOf(String(input.QueueUrl), entry.MessageBody));
    return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${this.sequence}` })), Failed: [] };
  };
  readonly client = answeredInProcess(new SQSClient(config), this.answer);

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

/** One SQS client for several in-process queues, each request answered by the queue its QueueUrl names. */
export function virtualSqs(queues: Record<string, { answer: Answer }>): SQSClient {
  return answeredInProcess(new SQSClient(config), async (command, input) => {
    const name =
      String(input.QueueUrl ?? '')
        .split('/')
        .pop() ?? '';
    const queue = queues[name];
    if (!queue) throw new Error(`no virtual queue named "${name}"`);
    return queue.answer(command, input);
  });
}

/** Secrets Manager holding one string secret. */
export function virtualSecrets(value: string): SecretsManagerClient {
  return answeredInProcess(new SecretsManagerClient(config), async (command) => {
    if (command !== 'GetSecretValueCommand') throw new Error(`the virtual secrets do not answer ${command}`);
    return { SecretString: value };
  });
}

/** The send queue's event source mapping, as the stack sets it up (lib/constructs/sendQueue.ts). */
export const SEND_QUEUE_MAPPING = {
  batchSize: 10,
  /** SENDER_TIMEOUT × 6. */
  visibilityTimeoutMs: 360_000,
  maxReceiveCount: 5,
};

interface QueuedStep {
  id: string;
  body: string;
  visibleAt: number;
  receives: number;
}

export type SenderHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * The send queue with its event source mapping, on the virtual clock: messages (a fired schedule's payload, or a
 * step the sender put back with DelaySeconds) become visible at their time; `drain` hands the visible ones to the
 * senders in batches, one batch per sender at a time, as Lambda does with a maximum concurrency. A record the
 * sender reports failed comes back after the visibility timeout, and after its last receive goes to the
 * dead-letter queue.
 */
export class VirtualSendQueue {
  private readonly waiting: QueuedStep[] = [];
  /** Bodies that failed on every receive, as the send dead-letter queue would hold them. */
  readonly deadLetters: string[] = [];
  /** Messages the sender put back to wait (SendMessage with a delay). */
  readonly putBack: { body: string; delaySeconds: number }[] = [];
  private sequence = 0;
  /** SQS's answer to a request for this queue. */
  readonly answer: Answer = async (command, input) => {
    if (command !== 'SendMessageCommand')
      throw new Error(`the virtual send queue does not answer ${command}`);
    const delaySeconds = Number(input.DelaySeconds ?? 0);
    const body = String(input.MessageBody);
    this.putBack.push({ body, delaySeconds });
    const id = this.deliver(body, new Date(this.now().getTime() + delaySeconds * 1000));
    return { MessageId: id };
  };
  readonly client = answeredInProcess(new SQSClient(config), this.answer);

  constructor(private readonly now: () => Date) {}

  /** A message on the queue, visible from `at`. */
  deliver(body: string, at: Date): string {
    const id = `send-${++this.sequence}`;
    this.waiting.push({ id, body, visibleAt: at.getTime(), receives: 0 });
    return id;
  }

  /** When the earliest waiting message becomes visible, if any waits. */
  nextVisibleAt(): Date | undefined {
    if (this.waiting.length === 0) return undefined;
    return new Date(Math.min(...this.waiting.map((m) => m.visibleAt)));
  }

  get size(): number {
    return this.waiting.length;
  }

  /**
   * Hands every message visible now to the senders, one batch per sender at a time, until none is visible at the
   * clock's time (which the senders' pacing moves on).
   */
  async drain(senders: readonly { handler: SenderHandler; sleeper?: Sleeper }[]): Promise<number> {
    let batches = 0;
    const worker = async ({ handler: sender, sleeper }: { handler: SenderHandler; sleeper?: Sleeper }) => {
      for (let batch = this.takeVisible(); batch.length > 0; batch = this.takeVisible()) {
        batches++;
        if (sleeper) sleeper.working = true;
        // An invocation that fails as a whole (it died, or threw) leaves every record of its batch on the queue.
        const response = await sender({ Records: batch.map((m) => this.recordOf(m)) }).catch(() => ({
          batchItemFailures: batch.map((m) => ({ itemIdentifier: m.id })),
        }));
        if (sleeper) sleeper.working = false;
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        for (const message of batch) {
          if (!failed.has(message.id)) continue;
          if (message.receives >= SEND_QUEUE_MAPPING.maxReceiveCount) this.deadLetters.push(message.body);
          else
            this.waiting.push({
              ...message,
              visibleAt: this.now().getTime() + SEND_QUEUE_MAPPING.visibilityTimeoutMs,
            });
        }
      }
    };
    await Promise.all(senders.map(worker));
    return batches;
  }

  private takeVisible(): QueuedStep[] {
    const now = this.now().getTime();
    const visible = this.waiting
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt || a.id.localeCompare(b.id, 'en', { numeric: true }))
      .slice(0, SEND_QUEUE_MAPPING.batchSize);
    for (const message of visible) {
      this.waiting.splice(this.waiting.indexOf(message), 1);
      message.receives++;
    }
    return visible;
  }

  private recordOf(message: QueuedStep): SQSRecord {
    return {
      messageId: message.id,
      receiptHandle: `${message.id}-${message.receives}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receives),
        SentTimestamp: String(message.visibleAt),
        SenderId: 'scheduler',
        ApproximateFirstReceiveTimestamp: String(this.now().getTime()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:000000000000:clm-send`,
      awsRegion: LOCAL_REGION,
    };
  }
}
