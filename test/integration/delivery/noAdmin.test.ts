import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluatePortfolio, type StepPayload } from '../../../lambdas/delivery/evaluatePortfolio';
import { runStep } from '../../../lambdas/delivery/runStep';
import { noAdminAddress } from '../../../lambdas/domain/contacts/adminAddress';
import type { IsoDate } from '../../../lambdas/domain/dates';
import { customerState } from '../../helpers/customerFactory';
import { DeliveryHarness } from '../../helpers/deliveryHarness';

let harness: DeliveryHarness;
beforeEach(async () => {
  harness = await DeliveryHarness.start();
});
afterEach(async () => {
  await harness.close();
});

/** A customer whose admin neither its rows nor the contacts directory name, seen on `date`. */
async function adminlessCustomerOn(date: IsoDate) {
  const state = {
    ...customerState({ customerId: 'N-1', termStart: '2026-03-02', date, licensesAssigned: 5 }),
    adminEmail: '',
    adminAddress: noAdminAddress('N-1'),
  };
  await harness.ingest(state);
  harness.clock = new Date(`${date}T02:00:00Z`);
  await evaluatePortfolio(harness.evaluateDeps(), date);
  return state;
}

/** Runs every scheduled step of the customer's email cases due by `until`. */
async function runEmailSteps(until: string) {
  harness.clock = new Date(until);
  const outcomes: string[] = [];
  for (const schedule of harness.scheduler.schedules.values()) {
    const payload = schedule.payload as unknown as StepPayload;
    if (!payload.caseId.includes('welcome') && !payload.caseId.includes('deployment')) continue;
    if (payload.step !== 0) continue;
    outcomes.push(await runStep(harness.stepDeps(), payload));
  }
  return outcomes;
}

describe('a customer without an admin address', () => {
  it('gets no customer email, and its owner one fix-contact task however many emails were due', async () => {
    // Prepare: the welcome opens in week 1, the deployment play (seats unassigned) in week 2
    const state = await adminlessCustomerOn('2026-03-02');
    const welcome = await runEmailSteps('2026-03-02T08:30:00Z');
    await adminlessCustomerOn('2026-03-09');

    // Act
    const deployment = await runEmailSteps('2026-03-09T08:30:00Z');

    // Assess
    expect(welcome).toEqual(['no-admin']);
    expect(deployment).toEqual(['step-not-scheduled', 'no-admin']);
    expect(await harness.ses.emails()).toHaveLength(0);
    const tasks = await harness.tasks.dueBetween(state.ownerEmail, '2026-03-01', '2026-03-31');
    expect(tasks).toEqual([
      expect.objectContaining({
        customerId: 'N-1',
        task: 'fix-contact',
        level: 1,
        reason: 'no-admin-address',
      }),
    ]);
    const suppressed = harness.events.events.filter((e) => e.kind === 'suppressed');
    expect(suppressed.map((e) => ('reason' in e ? e.reason : null))).toEqual([
      'no-admin-address',
      'no-admin-address',
    ]);
    expect(harness.events.events.filter((e) => e.kind === 'task')).toEqual([
      expect.objectContaining({ customerId: 'N-1', task: 'fix-contact', to: state.ownerEmail }),
    ]);
  });
});
