import { PRICES, type Prices } from './prices';

/** What one customer costs a night, counted on the local year (see bench/run.ts). */
export interface CostInputs {
  /** Mean customer item size in bytes (state plus the kept history). */
  itemBytes: number;
  rowsPerCustomer: number;
  emailsPerCustomerNight: number;
  /** One-time schedules: customer emails, owner tasks and escalations. */
  schedulesPerCustomerNight: number;
  /** Owner and team digests, spread over the customers (owners grow with the portfolio). */
  digestsPerCustomerNight: number;
  /** Wall time of the local run per customer-night (an upper bound for Lambda's billed time). */
  ingestMsPerCustomer: number;
  evaluateMsPerCustomer: number;
  stepMsPerSchedule: number;
}

/** What the stack deploys that costs the same whatever the portfolio (counted in the synthesised template). */
export interface FixedResources {
  alarms: number;
  dashboards: number;
  secrets: number;
}

const NIGHTS = 30;
const BUSINESS_NIGHTS = 22;
const RAW_ROW_BYTES = 70;
/** A case item: its keys, each step's status and day, and its packed JSON (caseItem.ts). */
const CASE_BYTES = 900;
const CASES_PER_CUSTOMER = 3;
const RETENTION_DAYS = 400;
/**
 * The send queue between the schedules and SES: the schedule's SendMessage, the sender's ReceiveMessage and its
 * DeleteMessage, one each per email (no batching counted, so an upper bound).
 */
export const SEND_QUEUE_REQUESTS_PER_EMAIL = 3;

/**
 * Dollars a month for a portfolio of `customers`, by service. DynamoDB: the nightly customer put (1 KB units) and
 * its consistent read (4 KB units), raw rows at 500 to an item, two Scans (evaluation nightly, digests on business
 * days) read at half a unit per 4 KB, per step about four reads and four writes (case, customer, ledger), and a
 * booking write per email (the email-day book).
 */
export function costPerMonth(
  customers: number,
  x: CostInputs,
  fixed: FixedResources,
  prices: Prices = PRICES,
) {
  const customerNights = customers * NIGHTS;
  const schedules = customerNights * x.schedulesPerCustomerNight;
  const tableBytes = customers * (x.itemBytes + CASES_PER_CUSTOMER * CASE_BYTES);
  const writeUnits =
    customerNights * Math.ceil(x.itemBytes / 1024) +
    (customerNights * x.rowsPerCustomer * RAW_ROW_BYTES) / 1024 +
    schedules * 4 +
    customerNights * x.emailsPerCustomerNight;
  const readUnits =
    customerNights * Math.ceil(x.itemBytes / 4096) +
    ((NIGHTS + BUSINESS_NIGHTS) * tableBytes * 0.5) / 4096 +
    schedules * 4;
  const storedGb = (tableBytes + customers * x.rowsPerCustomer * RAW_ROW_BYTES * RETENTION_DAYS) / 1024 ** 3;
  const gbSeconds =
    (customerNights * x.ingestMsPerCustomer * 1.0 +
      customerNights * x.evaluateMsPerCustomer * 1.5 +
      schedules * x.stepMsPerSchedule * 0.5) /
    1000;
  const invocations = NIGHTS * 3 + BUSINESS_NIGHTS + schedules;
  const emails = customerNights * (x.emailsPerCustomerNight + x.digestsPerCustomerNight);
  const parts = {
    dynamodb:
      (writeUnits / 1e6) * prices.dynamoWritePerMillion +
      (readUnits / 1e6) * prices.dynamoReadPerMillion +
      storedGb * prices.dynamoStoragePerGbMonth,
    lambda: gbSeconds * prices.lambdaArmPerGbSecond + (invocations / 1e6) * prices.lambdaPerMillionRequests,
    scheduler: (schedules / 1e6) * prices.schedulerPerMillion,
    ses: (emails / 1000) * prices.sesPerThousand,
    sqs:
      ((customerNights * x.emailsPerCustomerNight * SEND_QUEUE_REQUESTS_PER_EMAIL) / 1e6) *
      prices.sqsPerMillionRequests,
    s3:
      ((NIGHTS * 2) / 1000) * prices.s3PutPerThousand +
      (NIGHTS / 1000) * prices.s3GetPerThousand +
      ((customers * x.rowsPerCustomer * RAW_ROW_BYTES * RETENTION_DAYS) / 1024 ** 3) *
        prices.s3StoragePerGbMonth,
    // Alarms, the dashboard and the signing secret are billed per month, not per customer.
    fixed:
      fixed.alarms * prices.alarmPerMonth +
      fixed.dashboards * prices.dashboardPerMonth +
      fixed.secrets * prices.secretPerMonth,
  };
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}
