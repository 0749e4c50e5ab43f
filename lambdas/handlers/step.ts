import type { StepPayload } from '../delivery/evaluatePortfolio';
import { RetryLaterError, runStep, type StepOutcome } from '../delivery/runStep';
import { logger } from '../shared/logger';
import { metrics } from '../shared/observability';
import { deliveryWiring } from './deliveryWiring';

/** The payload the evaluator put on the schedule; anything else is refused before it reaches a customer. */
export function stepPayloadOf(event: unknown): StepPayload {
  const { customerId, caseId, step } = (event ?? {}) as Record<string, unknown>;
  if (typeof customerId !== 'string' || customerId === '' || typeof caseId !== 'string' || caseId === '')
    throw new TypeError('step payload needs customerId and caseId');
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0)
    throw new TypeError('step payload needs a step index');
  return { customerId, caseId, step };
}

let wiring: ReturnType<typeof deliveryWiring> | undefined;

/**
 * One step of a case, invoked by its one-time schedule. Any error fails the invocation so Scheduler retries it;
 * a RetryLaterError (SES throttling, a claim held by another invocation) is expected to clear by itself.
 */
export const handler = async (event: unknown): Promise<StepOutcome> => {
  wiring ??= deliveryWiring();
  const payload = stepPayloadOf(event);
  try {
    const outcome = await runStep(wiring, payload);
    logger.info('step handled', { caseId: payload.caseId, step: payload.step, outcome });
    return outcome;
  } catch (error) {
    const retryLater = error instanceof RetryLaterError;
    logger[retryLater ? 'warn' : 'error']('step failed; Scheduler retries it', {
      caseId: payload.caseId,
      step: payload.step,
      error: error instanceof Error ? error.name : String(error),
    });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
};
