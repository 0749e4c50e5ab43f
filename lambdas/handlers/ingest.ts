import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { z } from 'zod';
import { DynamoIngestStore } from '../adapters/dynamodb/dynamoIngestStore';
import { S3SnapshotBucket } from '../adapters/s3/s3SnapshotBucket';
import { LOCALES } from '../domain/locales';
import { DATE_FORMATS } from '../domain/snapshot/reader';
import { parseReadingSettings } from '../domain/snapshot/readingSettings';
import {
  IngestInProgressError,
  type IngestOutcome,
  type IngestSettings,
  ingestSnapshot,
} from '../ingest/ingestSnapshot';
import type { IngestStore } from '../ports/ingestStore';
import type { SnapshotBucket } from '../ports/snapshotBucket';
import { logger } from '../shared/logger';
import { METRIC, metrics } from '../shared/observability';

/** S3 sends object keys URL-encoded, with spaces as '+'. */
export function objectKeyOf(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export interface IngestHandlerDependencies {
  bucket: SnapshotBucket;
  /** A fresh store per file, so each file's write count is its own. */
  store: () => IngestStore;
  settings: IngestSettings;
  now?: () => Date;
}

/** The ingest Lambda: one S3 event may carry several records; each is one file. */
export function createIngestHandler(deps: IngestHandlerDependencies) {
  return async (event: S3Event): Promise<IngestOutcome[]> => {
    const outcomes: IngestOutcome[] = [];
    for (const record of event.Records ?? []) {
      if (!record.eventName?.startsWith('ObjectCreated')) continue;
      const key = objectKeyOf(record.s3.object.key);
      const outcome = await ingestSnapshot({ ...deps, store: deps.store() }, record.s3.bucket.name, key);
      if (outcome.status === 'in-progress') {
        // Thrown so Lambda retries the event later, by which time the twin has finished.
        throw new IngestInProgressError(`file ${key} is being ingested by another invocation`);
      }
      if (outcome.status === 'skipped') logger.info('snapshot skipped', { reason: outcome.reason });
      else {
        const { record: r } = outcome;
        logger.info('snapshot ingested', {
          status: r.status,
          snapshotDate: r.snapshotDate,
          rows: r.rows,
          accepted: r.accepted,
          rejected: r.rejectedCount,
          customers: r.customers,
          warnings: r.warnings ?? 0,
          writeRequests: outcome.writeRequests,
          reportKey: outcome.reportKey,
        });
      }
      outcomes.push(outcome);
    }
    return outcomes;
  };
}

const Environment = z.object({
  PORTFOLIO_TABLE: z.string().min(1),
  ACTIVITY_TABLE: z.string().min(1),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en'),
  DEFAULT_TIMEZONE: z.string().default('UTC'),
  DATE_FORMAT: z.enum(DATE_FORMATS).optional(),
  COLUMN_MAPPING: z
    .string()
    .optional()
    .transform((text) => (text ? (JSON.parse(text) as unknown) : undefined)),
  DATA_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  SNAPSHOT_PREFIX: z.string().default('snapshots/'),
  REPORT_PREFIX: z.string().default('reports/'),
});

/** Wiring from the Lambda environment; created on first use so tests can import this module freely. */
let wired: ReturnType<typeof createIngestHandler> | undefined;

export const handler = async (event: S3Event) => {
  if (!wired) {
    const env = Environment.parse(process.env);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    wired = createIngestHandler({
      bucket: new S3SnapshotBucket(new S3Client({})),
      store: () =>
        new DynamoIngestStore({
          client,
          portfolioTable: env.PORTFOLIO_TABLE,
          activityTable: env.ACTIVITY_TABLE,
          retentionDays: env.DATA_RETENTION_DAYS,
        }),
      settings: {
        defaultLocale: env.DEFAULT_LOCALE,
        defaultTimezone: env.DEFAULT_TIMEZONE,
        snapshotPrefix: env.SNAPSHOT_PREFIX,
        reportPrefix: env.REPORT_PREFIX,
        reading: parseReadingSettings(
          {
            ...(env.DATE_FORMAT ? { dateFormat: env.DATE_FORMAT } : {}),
            ...(env.COLUMN_MAPPING ? { columnMapping: env.COLUMN_MAPPING } : {}),
          },
          'the ingest function environment',
        ),
      },
    });
  }
  const outcomes = await wired(event);
  for (const outcome of outcomes) {
    if (outcome.status === 'skipped' || outcome.status === 'in-progress') continue;
    // Rejected rows include the lines of a customer rejected by itself (too many lines, refused by DynamoDB).
    metrics.addMetric(METRIC.ingestRows, MetricUnit.Count, outcome.record.accepted);
    metrics.addMetric(METRIC.ingestRejects, MetricUnit.Count, outcome.record.rejectedCount);
  }
  metrics.publishStoredMetrics();
  return outcomes;
};
