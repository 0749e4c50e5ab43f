import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluatePortfolio, type StepPayload } from '../../lambdas/delivery/evaluatePortfolio';
import { localTimeToUtc } from '../../lambdas/domain/delivery/sendTime';
import type { SenderDependencies } from '../../lambdas/handlers/step';
import type { LocalSender } from '../../local/localFunctions';
import { customerState } from '../helpers/customerFactory';
import { DeliveryHarness } from '../helpers/deliveryHarness';
import { crash, networkFailure, sesThrottled, withFaults } from './helpers/faults';

// Faults on the send path: the step function as an SQS consumer of the send queue, its steps put back when they
// must wait, and the queue redelivering what a dying or failing invocation did not acknowledge. Each test counts
// the emails SES really accepted.

const NINE_THIRTY = localTimeToUtc('2026-03-02', '09:30', 'Europe/Berlin');

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
  await harness.ses.clear();
});
afterEach(async () => {
  await harness.close();
});

/** A new customer's welcome step, its schedule fired: on the send queue at 09:30. */
async function welcomeOnQueue(customerId: string): Promise<StepPayload> {
  await harness.ingest(
    customerState({
      customerId,
      adminEmail: `${customerId.toLowerCase()}@faults.example`,
      termStart: '2026-03-02',
      date: '2026-03-02',
    }),
  );
  harness.clock = new Date('2026-03-02T02:00:00Z');
  await evaluatePortfolio(harness.evaluateDeps(), '2026-03-02');
  const schedule = [...harness.scheduler.schedules.values()].find(
    (s) => (s.payload as unknown as StepPayload).caseId === `${customerId}#welcome#2027-03-02`,
  )!;
  harness.sendQueue.deliver(JSON.stringify(schedule.payload), NINE_THIRTY);
  harness.clock = NINE_THIRTY;
  return schedule.payload as unknown as StepPayload;
}

const emailsTo = async (customerId: string) =>
  (await harness.ses.emails()).filter(
    (e) => e.destination.to?.[0] === `${customerId.toLowerCase()}@faults.example`,
  );

/** The sender with SES throttling its first send (the SDK's retries already spent). */
const throttledOnce = (deps: SenderDependencies): SenderDependencies => ({
  ...deps,
  step: {
    ...deps.step,
    mailer: withFaults(deps.step.mailer, { method: 'send', when: 'before', times: 1, error: sesThrottled }),
  },
});

/** The sender, dying after its first invocation did everything but answer SQS. */
function diesAfterFirstBatch(sender: LocalSender): LocalSender {
  let died = false;
  return {
    ...sender,
    handler: async (event) => {
      const response = await sender.handler(event);
      if (died) return response;
      died = true;
      throw crash();
    },
  };
}

describe('a step put back on the send queue', () => {
  it('sends once when the function died after putting a throttled step back, before SQS had its answer', async () => {
    // Prepare: SES throttles the first send; the step goes back on the queue; then the function dies, so SQS
    // delivers the original again after its visibility timeout: two messages for one step
    const payload = await welcomeOnQueue('Q-1');
    const sender = diesAfterFirstBatch(harness.newSender(throttledOnce));

    // Act
    await harness.drainSendQueue([sender]);

    // Assess: the copy sent the email; the original, back after six minutes, found the step done
    expect(harness.sendQueue.putBack).toHaveLength(1);
    expect(harness.sendQueue.putBack[0]!.delaySeconds).toBeLessThanOrEqual(5);
    expect(harness.clock.getTime() - NINE_THIRTY.getTime()).toBeGreaterThanOrEqual(360_000);
    expect(await emailsTo('Q-1')).toHaveLength(1);
    expect(harness.events.events.filter((e) => e.kind === 'email' && e.customerId === 'Q-1')).toHaveLength(1);
    const found = await harness.store.getCase(payload.customerId, payload.caseId);
    expect(found!.steps[payload.step]!.status).toBe('done');
    expect(harness.sendQueue.deadLetters).toEqual([]);
    expect(harness.sendQueue.size).toBe(0);
  });

  it('sends once when two messages of the same step reach two senders at the same moment', async () => {
    // Prepare: the step twice on the queue (a copy put back and its original redelivered), two senders
    const payload = await welcomeOnQueue('Q-2');
    harness.sendQueue.deliver(JSON.stringify(payload), NINE_THIRTY);

    // Act: one batch each, at once
    const senders = [harness.newSender(), harness.newSender()];
    const singles = senders.map((sender) => ({
      ...sender,
      handler: (event: Parameters<LocalSender['handler']>[0]) =>
        sender.handler({ Records: event.Records.slice(0, 1) }).then((response) => ({
          batchItemFailures: [
            ...response.batchItemFailures,
            // a record beyond the first stays unacknowledged: each sender takes one
            ...event.Records.slice(1).map((r) => ({ itemIdentifier: r.messageId })),
          ],
        })),
    }));
    await harness.drainSendQueue(singles);

    // Assess: one email; the loser found the claim taken or the step done, and nothing failed for good
    expect(await emailsTo('Q-2')).toHaveLength(1);
    expect(harness.sendQueue.deadLetters).toEqual([]);
    expect(harness.sendQueue.size).toBe(0);
  });

  it('fails a step on other errors, so SQS redelivers it and after five receives moves it to the send dead-letter queue', async () => {
    // Prepare: the case cannot be read, every time
    await welcomeOnQueue('Q-3');
    const sender = harness.newSender((deps) => ({
      ...deps,
      step: {
        ...deps.step,
        store: withFaults(deps.step.store, {
          method: 'stepContext',
          when: 'before',
          times: 'always',
          error: networkFailure,
        }),
      },
    }));

    // Act
    await harness.drainSendQueue([sender]);

    // Assess: five receives, six minutes apart, nothing sent, nothing put back; the step waits in the DLQ
    expect(harness.sendQueue.deadLetters).toHaveLength(1);
    expect(harness.sendQueue.putBack).toEqual([]);
    expect(harness.clock.getTime() - NINE_THIRTY.getTime()).toBe(4 * 360_000);
    expect(await emailsTo('Q-3')).toHaveLength(0);
  });
});
