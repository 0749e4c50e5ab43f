import { describe, expect, it } from 'vitest';
import { type CostInputs, costPerMonth, SEND_QUEUE_REQUESTS_PER_EMAIL } from '../../../bench/costModel';
import { PRICES } from '../../../bench/prices';

const INPUTS: CostInputs = {
  itemBytes: 2_000,
  rowsPerCustomer: 2,
  emailsPerCustomerNight: 0.02,
  schedulesPerCustomerNight: 0.03,
  digestsPerCustomerNight: 0.001,
  ingestMsPerCustomer: 0.5,
  evaluateMsPerCustomer: 1,
  stepMsPerSchedule: 20,
};
const FIXED = { alarms: 10, dashboards: 1, secrets: 1 };

describe('the monthly cost model', () => {
  it('bills the send queue three requests per customer email', () => {
    // Act: 100,000 customers, 30 nights, 0.02 emails a customer-night = 60,000 emails
    const { parts } = costPerMonth(100_000, INPUTS, FIXED);

    // Assess
    expect(SEND_QUEUE_REQUESTS_PER_EMAIL).toBe(3);
    expect(parts.sqs).toBeCloseTo((60_000 * 3 * PRICES.sqsPerMillionRequests) / 1e6);
  });

  it('adds the fixed monthly resources to the total whatever the portfolio', () => {
    const none = costPerMonth(0, INPUTS, FIXED);

    expect(none.parts.fixed).toBeCloseTo(
      10 * PRICES.alarmPerMonth + PRICES.dashboardPerMonth + PRICES.secretPerMonth,
    );
    expect(none.total).toBeCloseTo(none.parts.fixed);
  });
});
