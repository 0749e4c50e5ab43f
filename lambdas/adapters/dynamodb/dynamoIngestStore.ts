import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CustomerState, UsagePoint } from '../../domain/customer';
import { addDays, type IsoDate } from '../../domain/dates';
import type {
  CustomerWrite,
  FileClaim,
  IngestRecord,
  IngestStore,
  RawRowChunk,
} from '../../ports/ingestStore';
import { batchWriteAll } from './batchWrite';
import { type CustomerItem, expiringHistoryDates, storedPoint } from './customerItem';
import { withThrottlingRetry } from './retry';
import { keys } from './tableDesign';

export interface DynamoIngestStoreOptions {
  client: DynamoDBDocumentClient;
  portfolioTable: string;
  activityTable: string;
  /** How long raw rows and ingest records are kept (DynamoDB TTL). */
  retentionDays: number;
  /** A claim older than this is taken to belong to a crashed run and may be taken over. */
  claimTimeoutSeconds?: number;
}

const epochSeconds = (date: IsoDate) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000);

/** Ingestion's writes to DynamoDB: conditional where order or duplicates matter, batched where they do not. */
export class DynamoIngestStore implements IngestStore {
  private writes = 0;

  constructor(private readonly options: DynamoIngestStoreOptions) {}

  get writeRequests(): number {
    return this.writes;
  }

  /** Every single-item write goes through here: counted, and retried when throttled. */
  private write<T>(call: () => Promise<T>): Promise<T> {
    this.writes++;
    return withThrottlingRetry(call);
  }

  private expiresAt(date: IsoDate): number {
    return epochSeconds(addDays(date, this.options.retentionDays));
  }

  async claimFile(fileId: string, bucket: string, key: string, now: Date): Promise<FileClaim> {
    const timeout = this.options.claimTimeoutSeconds ?? 900;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.write(() =>
        this.options.client.send(
          new UpdateCommand({
            TableName: this.options.activityTable,
            Key: keys.ingestFile(fileId),
            UpdateExpression:
              'SET #status = :started, claimedAt = :now, #bucket = :bucket, objectKey = :key, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :started AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#status': 'status', '#bucket': 'bucket' },
            ExpressionAttributeValues: {
              ':started': 'started',
              ':now': nowSeconds,
              ':stale': nowSeconds - timeout,
              ':bucket': bucket,
              ':key': key,
              ':expires': nowSeconds + this.options.retentionDays * 86_400,
            },
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The file record exists: finished before, or claimed moments ago by a twin delivery of the same event.
    const existing = await withThrottlingRetry(() =>
      this.options.client.send(
        new GetCommand({
          TableName: this.options.activityTable,
          Key: keys.ingestFile(fileId),
          ConsistentRead: true,
        }),
      ),
    );
    return existing.Item?.status === 'started' ? 'in-progress' : 'already-ingested';
  }

  async releaseFile(fileId: string): Promise<void> {
    await this.write(() =>
      this.options.client.send(
        new DeleteCommand({
          TableName: this.options.activityTable,
          Key: keys.ingestFile(fileId),
          ConditionExpression: '#status = :started',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':started': 'started' },
        }),
      ),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  async saveRawRows(chunks: readonly RawRowChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    this.writes += await batchWriteAll(
      this.options.client,
      this.options.activityTable,
      chunks.map((chunk) => ({
        PutRequest: {
          Item: {
            ...keys.rawChunk(chunk.snapshotDate, chunk.fileId, chunk.index),
            entity: 'raw-rows',
            rows: JSON.stringify(chunk.rows),
            count: chunk.rows.length,
            expiresAt: this.expiresAt(chunk.snapshotDate),
          },
        },
      })),
    );
  }

  async deleteRawRows(snapshotDate: IsoDate, fileId: string, chunkCount: number): Promise<void> {
    if (chunkCount === 0) return;
    this.writes += await batchWriteAll(
      this.options.client,
      this.options.activityTable,
      Array.from({ length: chunkCount }, (_, index) => ({
        DeleteRequest: { Key: keys.rawChunk(snapshotDate, fileId, index) },
      })),
    );
  }

  /**
   * One conditional write in the usual case: the state is replaced only by data of the same day or newer, and
   * the night's figures go into the history map under their date (so a replay writes the same values again).
   */
  async saveCustomer(state: CustomerState, point: UsagePoint): Promise<CustomerWrite> {
    const date = state.snapshotDate;
    const key = keys.customer(state.customerId);
    const expiring = expiringHistoryDates(date);
    const names: Record<string, string> = { '#state': 'state', '#d': date };
    expiring.forEach((old, i) => {
      names[`#o${i}`] = old;
    });
    try {
      await this.write(() =>
        this.options.client.send(
          new UpdateCommand({
            TableName: this.options.portfolioTable,
            Key: key,
            UpdateExpression: `SET #state = :state, lastSnapshotDate = :date, history.#d = :point REMOVE ${expiring
              .map((_, i) => `history.#o${i}`)
              .join(', ')}`,
            ConditionExpression: 'attribute_exists(pk) AND lastSnapshotDate <= :date',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':state': state, ':date': date, ':point': storedPoint(point) },
          }),
        ),
      );
      return 'updated';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const item: CustomerItem = {
      ...key,
      sk: 'STATE',
      entity: 'customer',
      customerId: state.customerId,
      state,
      lastSnapshotDate: date,
      firstSeen: date,
      history: { [date]: storedPoint(point) },
    };
    try {
      await this.write(() =>
        this.options.client.send(
          new PutCommand({
            TableName: this.options.portfolioTable,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return 'created';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The customer exists with newer data: an older file adds its figures to the history and nothing else.
    await this.write(() =>
      this.options.client.send(
        new UpdateCommand({
          TableName: this.options.portfolioTable,
          Key: key,
          UpdateExpression: 'SET history.#d = :point',
          ExpressionAttributeNames: { '#d': date },
          ExpressionAttributeValues: { ':point': storedPoint(point) },
        }),
      ),
    );
    try {
      await this.write(() =>
        this.options.client.send(
          new UpdateCommand({
            TableName: this.options.portfolioTable,
            Key: key,
            UpdateExpression: 'SET firstSeen = :date',
            ConditionExpression: 'firstSeen > :date',
            ExpressionAttributeValues: { ':date': date },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return 'history-only';
  }

  async advancePortfolioDate(snapshotDate: IsoDate): Promise<void> {
    try {
      await this.write(() =>
        this.options.client.send(
          new UpdateCommand({
            TableName: this.options.portfolioTable,
            Key: keys.portfolio(),
            UpdateExpression: 'SET latestSnapshotDate = :date, entity = :entity',
            ConditionExpression: 'attribute_not_exists(latestSnapshotDate) OR latestSnapshotDate < :date',
            ExpressionAttributeValues: { ':date': snapshotDate, ':entity': 'portfolio' },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async finishFile(record: IngestRecord): Promise<void> {
    const day = record.processedAt.slice(0, 10);
    const expiresAt = this.expiresAt(day);
    this.writes += await batchWriteAll(this.options.client, this.options.activityTable, [
      { PutRequest: { Item: { ...keys.ingestFile(record.fileId), entity: 'ingest', ...record, expiresAt } } },
      {
        PutRequest: {
          Item: { ...keys.ingestReport(day, record.fileId), entity: 'ingest-report', ...record, expiresAt },
        },
      },
    ]);
  }
}
