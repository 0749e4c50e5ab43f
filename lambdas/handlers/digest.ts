import { sendDigests } from '../delivery/sendDigests';
import { todayIn } from '../domain/dates';
import { logger } from '../shared/logger';
import { metrics } from '../shared/observability';
import { deliveryWiring } from './deliveryWiring';

let wiring: ReturnType<typeof deliveryWiring> | undefined;

/** Weekday mornings: the owners' and team leads' digests. */
export const handler = async () => {
  wiring ??= deliveryWiring();
  const today = todayIn(wiring.settings.defaultTimezone, wiring.now());
  try {
    const result = await sendDigests(wiring, today);
    logger.info('digests done', { today, ...result });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
