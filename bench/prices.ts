// AWS list prices the cost model uses: US East (N. Virginia), on-demand, without free tiers, as published in
// November 2026. One table, so a reseller in another region changes numbers here and nowhere else.

export const PRICES = {
  /** DynamoDB on-demand: per million write request units (1 KB each) and read request units (4 KB each). */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  /** DynamoDB standard table storage, per GB-month. */
  dynamoStoragePerGbMonth: 0.25,
  /** Lambda on Arm: per GB-second and per million requests. */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** EventBridge Scheduler: per million scheduled invocations. */
  schedulerPerMillion: 1.0,
  /** SQS standard queue: per million requests (each up to 64 KB). */
  sqsPerMillionRequests: 0.4,
  /** SES outbound email: per thousand messages. */
  sesPerThousand: 0.1,
  /** S3 Standard: per thousand PUT and per thousand GET requests, per GB-month stored. */
  s3PutPerThousand: 0.005,
  s3GetPerThousand: 0.0004,
  s3StoragePerGbMonth: 0.023,
  /** CloudWatch: per standard-resolution alarm metric and per dashboard, a month; Secrets Manager per secret. */
  alarmPerMonth: 0.1,
  dashboardPerMonth: 3.0,
  secretPerMonth: 0.4,
} as const;

export type Prices = typeof PRICES;
