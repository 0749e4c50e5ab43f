import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluatePortfolio } from '../../../lambdas/delivery/evaluatePortfolio';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness } from '../../helpers/deliveryHarness';

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
});
afterEach(async () => {
  await harness.close();
});

/** The case items every Scan of the portfolio table sends back. */
function watchScannedCases(): Record<string, unknown>[] {
  const seen: Record<string, unknown>[] = [];
  harness.dynamo.documents.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ScanCommand') {
        const items = (result.output as { Items?: Record<string, unknown>[] }).Items ?? [];
        seen.push(...items.filter((item) => item.entity === 'case'));
      }
      return result;
    },
    { step: 'initialize', name: 'watchScannedCases' },
  );
  return seen;
}

describe('the nightly evaluation of finished cases', () => {
  it('reads them without their spent steps, and they still keep their play from opening again for the term', async () => {
    // Prepare: the welcome opens on the first night; the owner closes it that evening
    const night = async (date: string) => {
      await harness.ingest(customerState({ customerId: 'W-1', termStart: '2026-03-02', date }));
      harness.clock = new Date(`${date}T02:00:00Z`);
      await evaluatePortfolio(harness.evaluateDeps(), date);
    };
    await night('2026-03-02');
    const [welcome] = (await harness.store.load()).cases.filter((c) => c.playId === 'welcome');
    const closed: Case = {
      ...welcome!,
      status: 'closed',
      closedOn: '2026-03-02',
      steps: welcome!.steps.map((s) => ({ ...s, status: 'cancelled' })),
    };
    await harness.store.saveCases([closed]);
    const scanned = watchScannedCases();
    const schedulesBefore = harness.scheduler.schedules.size;

    // Act
    await night('2026-03-03');

    // Assess: the evaluation's scan sent the closed case without its whole JSON, and no second welcome opened
    const sentBack = scanned.filter((item) => String(item.sk).endsWith(closed.caseId));
    expect(sentBack.length).toBeGreaterThan(0);
    for (const item of sentBack) expect(item.finishedCase).toBeUndefined();
    const welcomes = (await harness.store.load()).cases.filter((c) => c.playId === 'welcome');
    expect(welcomes).toEqual([closed]);
    expect(harness.scheduler.schedules.size).toBe(schedulesBefore);
  });
});
