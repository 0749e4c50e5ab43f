import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { StepPayload } from '../../delivery/evaluatePortfolio';
import { MAX_DELAY_SECONDS, type SendQueue } from '../../ports/sendQueue';

/** The send queue: the body is the payload a step schedule delivers, so a re-sent step reads as the first one. */
export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async later(payload: StepPayload, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(payload),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  }
}
