import { evaluatePortfolio } from '../delivery/evaluatePortfolio';
import { DEFAULT_PLAYBOOK, type Playbook, parsePlaybook } from '../domain/playbook/playbook';
import { logger } from '../shared/logger';
import { metrics } from '../shared/observability';
import { deliveryWiring } from './deliveryWiring';

let wiring: ReturnType<typeof deliveryWiring> | undefined;
let playbook: Playbook | undefined;

/** The reseller's playbook from the stack (checked at synth, checked again here), else the default one. */
export function playbookOf(env: NodeJS.ProcessEnv = process.env): Playbook {
  return env.PLAYBOOK ? parsePlaybook(JSON.parse(env.PLAYBOOK)) : DEFAULT_PLAYBOOK;
}

/** The nightly evaluation, invoked by the recurring schedule. */
export const handler = async (): Promise<Awaited<ReturnType<typeof evaluatePortfolio>>> => {
  wiring ??= deliveryWiring();
  playbook ??= playbookOf();
  const today = wiring.now().toISOString().slice(0, 10);
  try {
    const result = await evaluatePortfolio({ ...wiring, settings: { ...wiring.settings, playbook } }, today);
    logger.info('portfolio evaluated', { today, ...result });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
