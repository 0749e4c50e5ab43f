import type { StepPayload } from '../delivery/evaluatePortfolio';

/** SQS's longest delay of one message: 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/**
 * The queue between the step schedules and the sender. A step that must wait (SES throttling, a claim another
 * invocation holds) goes back on it as a new message, so waiting never counts as a failed receive.
 */
export interface SendQueue {
  /** Hands the step to the sender again after `delaySeconds` (0 to 900). */
  later(payload: StepPayload, delaySeconds: number): Promise<void>;
}
