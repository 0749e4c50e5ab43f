import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type NightDependencies, type NightOutcome, runNight } from '../delivery/runNight';
import { todayIn } from '../domain/dates';
import { logger } from '../shared/logger';
import { METRIC, metrics } from '../shared/observability';
import { evaluationWiring } from './evaluationWiring';

let wiring: NightDependencies | undefined;

/** The nightly run, invoked by the recurring schedule: evaluates the portfolio, or splits it for the workers. */
export const handler = async (): Promise<NightOutcome> => {
  wiring ??= evaluationWiring();
  const today = todayIn(wiring.settings.defaultTimezone, wiring.now());
  try {
    const outcome = await runNight(wiring, today);
    if (outcome.mode === 'whole')
      metrics.addMetric(METRIC.stepsRescheduled, MetricUnit.Count, outcome.rescheduled);
    logger.info('night run', { today, ...outcome });
    return outcome;
  } finally {
    metrics.publishStoredMetrics();
  }
};
