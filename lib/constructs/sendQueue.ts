import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The sender's time limit: a batch of ten at the slowest pace a sender waits for fits well inside it. */
export const SENDER_TIMEOUT = Duration.seconds(60);
/** Steps handed to one sender invocation, and how long SQS gathers them (a 09:30 burst fills batches at once). */
const BATCH_SIZE = 10;
const BATCH_WINDOW = Duration.seconds(1);
/** Receives a failing step gets before it goes to the send dead-letter queue; waiting (throttling) uses none. */
const MAX_RECEIVES = 5;

export interface SendQueueProps {
  /** Senders at once: together they keep to the account's SES rate, each pacing to its share. */
  senderConcurrency: number;
}

/**
 * Paced sending: the queue the one-time step schedules deliver their payload to, drained by the step function at
 * a bounded concurrency, and its own dead-letter queue for steps that kept failing. Throttled steps come back to
 * the queue with a delay (the function puts them back), so the dead-letter queue holds only real failures.
 */
export class SendQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  private readonly senderConcurrency: number;

  constructor(scope: Construct, id: string, props: SendQueueProps) {
    super(scope, id);
    this.senderConcurrency = props.senderConcurrency;
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function's limit, as Lambda advises for a queue it polls.
      visibilityTimeout: Duration.seconds(SENDER_TIMEOUT.toSeconds() * 6),
      // A first night at a small daily quota takes days to send: the steps wait on the queue meanwhile.
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVES },
    });
  }

  /** The step function takes the queue's batches, reports the steps that failed, and puts waiting steps back. */
  attachSender(sender: IFunction): void {
    sender.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: BATCH_SIZE,
        maxBatchingWindow: BATCH_WINDOW,
        reportBatchItemFailures: true,
        maxConcurrency: this.senderConcurrency,
      }),
    );
    this.queue.grantSendMessages(sender);
  }

  /**
   * The role the one-time step schedules run as: send to this queue, and (for a delivery that keeps failing) to the
   * schedules' dead-letter queue; nothing else. The queues use SQS-managed keys, so no KMS grant is needed.
   */
  schedulerRole(scope: Construct, id: string, scheduleDeadLetters: Queue): Role {
    const role = new Role(scope, id, {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }),
      description: 'Lets EventBridge Scheduler put clm-autopilot steps on the send queue',
    });
    role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    role.addToPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [scheduleDeadLetters.queueArn] }),
    );
    return role;
  }
}
