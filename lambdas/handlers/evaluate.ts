import { evaluatePortfolio } from '../delivery/evaluatePortfolio';
import { logger } from '../shared/logger';
import { metrics } from '../shared/observability';
import { deliveryWiring } from './deliveryWiring';

let wiring: ReturnType<typeof deliveryWiring> | undefined;

/** The nightly evaluation, invoked by the recurring schedule. */
export const handler = async (): Promise<Awaited<ReturnType<typeof evaluatePortfolio>>> => {
  wiring ??= deliveryWiring();
  const today = wiring.now().toISOString().slice(0, 10);
  try {
    const result = await evaluatePortfolio(wiring, today);
    logger.info('portfolio evaluated', { today, ...result });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
