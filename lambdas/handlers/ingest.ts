import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { DynamoContactsDirectory } from '../adapters/dynamodb/dynamoContactsDirectory';
import { DynamoIngestStore } from '../adapters/dynamodb/dynamoIngestStore';
import { S3SnapshotBucket } from '../adapters/s3/s3SnapshotBucket';
import { parseReadingSettings } from '../domain/snapshot/readingSettings';
import { ingestContacts } from '../ingest/ingestContacts';
import {
  IngestInProgressError,
  type IngestOutcome,
  type IngestSettings,
  ingestSnapshot,
} from '../ingest/ingestSnapshot';
import type { ContactsDirectory } from '../ports/contactsDirectory';
import type { EventLog } from '../ports/eventLog';
import type { IngestStore } from '../ports/ingestStore';
import type { SnapshotBucket } from '../ports/snapshotBucket';
import { CLIENT_CONFIG, lambdaDocumentClient } from '../shared/awsClients';
import { CONTACTS_PREFIX, REPORT_PREFIX, SNAPSHOT_PREFIX } from '../shared/environment';
import { lambdaInput, onColdStart, type RootInput } from '../shared/functionRoot';
import { logger } from '../shared/logger';
import { countFailedFile, PowertoolsEventLog, publishMetrics } from '../shared/observability';
import { SETTINGS_FILE } from '../shared/settings';

/** S3 sends object keys URL-encoded, with spaces as '+'. */
export function objectKeyOf(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export interface IngestHandlerDependencies {
  bucket: SnapshotBucket;
  /** The contacts directory: uploads under contacts/ replace it, snapshots are joined with it. */
  directory: ContactsDirectory;
  /** A fresh store per file, so each file's write count is its own. */
  store: () => IngestStore;
  settings: IngestSettings;
  /** Each file's accepted and rejected rows (in Lambda: the IngestRows and IngestRejects metrics). */
  events: EventLog;
  now?: () => Date;
}

/** The ingest Lambda: one S3 event may carry several records; each is one file. */
export function createIngestHandler(deps: IngestHandlerDependencies) {
  const now = deps.now ?? (() => new Date());
  return async (event: S3Event): Promise<IngestOutcome[]> => {
    try {
      return await ingestAll(event);
    } finally {
      publishMetrics();
    }
  };

  async function ingestAll(event: S3Event): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    for (const record of event.Records ?? []) {
      if (!record.eventName?.startsWith('ObjectCreated')) continue;
      const key = objectKeyOf(record.s3.object.key);
      if (key.startsWith(CONTACTS_PREFIX) && !key.endsWith('/')) {
        const contacts = await ingestContacts(
          {
            ...deps,
            settings: { contactsPrefix: CONTACTS_PREFIX, reportPrefix: deps.settings.reportPrefix },
          },
          record.s3.bucket.name,
          key,
        );
        logger.info('contacts ingested', {
          status: contacts.status,
          rows: contacts.rows,
          accepted: contacts.accepted,
          rejected: contacts.rejected.length,
          reportKey: contacts.reportKey,
        });
        continue;
      }
      const outcome = await ingestSnapshot({ ...deps, store: deps.store() }, record.s3.bucket.name, key);
      if (outcome.status === 'in-progress') {
        // Thrown so Lambda retries the event later, by which time the twin has finished.
        throw new IngestInProgressError(`file ${key} is being ingested by another invocation`);
      }
      if (outcome.status === 'skipped') logger.info('snapshot skipped', { reason: outcome.reason });
      else {
        const { record: r } = outcome;
        // Rejected rows include the lines of a customer rejected by itself (too many lines, refused by DynamoDB).
        deps.events.record(
          { kind: 'ingest', file: key, accepted: r.accepted, rejected: r.rejectedCount },
          now(),
        );
        if (outcome.status === 'rejected') countFailedFile();
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
  }
}

/** The ingest function's composition root. */
export function ingestRoot(input: RootInput<'ingest', 'dynamodb' | 's3'>): IngestHandlerDependencies {
  const { environment: e, settings: s, clients } = input;
  return {
    bucket: new S3SnapshotBucket(clients.s3),
    directory: new DynamoContactsDirectory(clients.dynamodb, e.PORTFOLIO_TABLE),
    store: () =>
      new DynamoIngestStore({
        client: clients.dynamodb,
        portfolioTable: e.PORTFOLIO_TABLE,
        activityTable: e.ACTIVITY_TABLE,
        retentionDays: s.dataRetentionDays,
      }),
    settings: {
      defaultLocale: s.defaultLocale,
      defaultTimezone: s.defaultTimezone,
      snapshotPrefix: SNAPSHOT_PREFIX,
      reportPrefix: REPORT_PREFIX,
      ...(s.defaultOwnerEmail ? { defaultOwnerEmail: s.defaultOwnerEmail } : {}),
      // Checked at synth, and again here with the same schema `clm validate` uses.
      ...(s.reading
        ? { reading: parseReadingSettings(s.reading, `${SETTINGS_FILE} of the ingest function`) }
        : {}),
    },
    events: input.events ?? new PowertoolsEventLog(),
    ...(input.now ? { now: input.now } : {}),
  };
}

export const handler = onColdStart(() =>
  createIngestHandler(
    ingestRoot(lambdaInput('ingest', { dynamodb: lambdaDocumentClient(), s3: new S3Client(CLIENT_CONFIG) })),
  ),
);
