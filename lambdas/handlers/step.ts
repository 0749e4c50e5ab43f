import { z } from 'zod';
import { runStep, type StepOutcome } from '../delivery/runStep';
import { logger } from '../shared/logger';
import { metrics } from '../shared/observability';
import { deliveryWiring } from './deliveryWiring';

const Payload = z.object({
  customerId: z.string().min(1),
  caseId: z.string().min(1),
  step: z.number().int().nonnegative(),
});

let wiring: ReturnType<typeof deliveryWiring> | undefined;

/** One step of a case, invoked by its one-time schedule. A RetryLaterError makes Scheduler retry. */
export const handler = async (event: unknown): Promise<StepOutcome> => {
  wiring ??= deliveryWiring();
  const payload = Payload.parse(event);
  try {
    const outcome = await runStep(wiring, payload);
    logger.info('step handled', { caseId: payload.caseId, step: payload.step, outcome });
    return outcome;
  } finally {
    metrics.publishStoredMetrics();
  }
};
