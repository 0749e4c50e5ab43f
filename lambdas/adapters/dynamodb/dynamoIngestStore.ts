import { randomUUID } from 'node:crypto';
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
import { mapWithConcurrency, sleep } from '../../shared/concurrency';
import { batchGetAll } from './batchGet';
import { batchWriteAll } from './batchWrite';
import { type CustomerItem, historyText, mergeCustomerItem } from './customerItem';
import { epochSeconds, keys } from './tableDesign';

export interface DynamoIngestStoreOptions {
  client: DynamoDBDocumentClient;
  portfolioTable: string;
  activityTable: string;
  /** How long raw rows and ingest records are kept (DynamoDB TTL). */
  retentionDays: number;
  /** A claim older than this is taken to belong to a crashed run and may be taken over. */
  claimTimeoutSeconds?: number;
  /** How long a file waits for another file's customer writes before it gives up (and Lambda retries it). */
  leaseWaitSeconds?: number;
}

/** Items in one BatchWriteItem request. */
const WRITE_BATCH = 25;

/** DynamoDB refuses the item itself (over 400 KB, for one): sending it again can never succeed. */
const isRefused = (error: unknown) => error instanceof Error && error.name === 'ValidationException';

/** Ingestion's writes to DynamoDB: conditional where order or duplicates matter, batched where they do not. */
export class DynamoIngestStore implements IngestStore {
  private writes = 0;
  private reads = 0;

  constructor(private readonly options: DynamoIngestStoreOptions) {}

  get writeRequests(): number {
    return this.writes;
  }

  get readRequests(): number {
    return this.reads;
  }

  /** Every single-item write goes through here: counted, and retried when throttled. */
  private write<T>(call: () => Promise<T>): Promise<T> {
    this.writes++;
    return call();
  }

  private expiresAt(date: IsoDate): number {
    return epochSeconds(addDays(date, this.options.retentionDays));
  }

  async claimFile(fileId: string, bucket: string, key: string, now: Date): Promise<FileClaim> {
    const timeout = this.options.claimTimeoutSeconds ?? 900;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // Tells our own claim from a twin's when the SDK retries a claim whose answer was lost.
    const token = randomUUID();
    try {
      await this.write(() =>
        this.options.client.send(
          new UpdateCommand({
            TableName: this.options.activityTable,
            Key: keys.ingestFile(fileId),
            UpdateExpression:
              'SET #status = :started, claimedAt = :now, claimToken = :token, #bucket = :bucket, objectKey = :key, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :started AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#status': 'status', '#bucket': 'bucket' },
            ExpressionAttributeValues: {
              ':started': 'started',
              ':now': nowSeconds,
              ':stale': nowSeconds - timeout,
              ':bucket': bucket,
              ':key': key,
              ':token': token,
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
    const existing = await this.options.client.send(
      new GetCommand({
        TableName: this.options.activityTable,
        Key: keys.ingestFile(fileId),
        ConsistentRead: true,
      }),
    );
    if (existing.Item?.status !== 'started') return 'already-ingested';
    return existing.Item.claimToken === token ? 'claimed' : 'in-progress';
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

  async holdCustomerWrites(fileId: string): Promise<void> {
    const timeout = this.options.claimTimeoutSeconds ?? 900;
    const waitUntil = Date.now() + (this.options.leaseWaitSeconds ?? 600) * 1000;
    for (let attempt = 0; ; attempt++) {
      const nowSeconds = Math.floor(Date.now() / 1000);
      try {
        await this.write(() =>
          this.options.client.send(
            new PutCommand({
              TableName: this.options.portfolioTable,
              Item: { ...keys.customerWriteLease(), entity: 'lease', fileId, heldSince: nowSeconds },
              // Free, already ours (a retry), or left behind by a run that died.
              ConditionExpression: 'attribute_not_exists(pk) OR fileId = :file OR heldSince < :stale',
              ExpressionAttributeValues: { ':file': fileId, ':stale': nowSeconds - timeout },
            }),
          ),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      if (Date.now() >= waitUntil)
        throw new Error('another snapshot file is still being written; the retry will ingest this one');
      await sleep(Math.min(5_000, 100 * 2 ** attempt));
    }
  }

  async releaseCustomerWrites(fileId: string): Promise<void> {
    await this.write(() =>
      this.options.client.send(
        new DeleteCommand({
          TableName: this.options.portfolioTable,
          Key: keys.customerWriteLease(),
          ConditionExpression: 'fileId = :file',
          ExpressionAttributeValues: { ':file': fileId },
        }),
      ),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  /**
   * Read, merge, write: one BatchGetItem per 100 customers and one BatchWriteItem per 25, instead of a request
   * per customer. Safe because the caller holds the customer writes, so no other file writes in between. An item
   * DynamoDB refuses is left out ('refused'); the others of its batch are written one by one.
   */
  async saveCustomers(
    customers: readonly { state: CustomerState; point: UsagePoint }[],
  ): Promise<CustomerWrite[]> {
    const table = this.options.portfolioTable;
    const found = await batchGetAll(
      this.options.client,
      table,
      customers.map(({ state }) => keys.customer(state.customerId)),
      { consistentRead: true },
    );
    this.reads += found.requests;
    const existing = new Map(found.items.map((item) => [item.pk as string, item as unknown as CustomerItem]));
    const merged = customers.map(({ state, point }) => {
      const key = keys.customer(state.customerId);
      const before = existing.get(key.pk);
      const write = mergeCustomerItem(before, key as { pk: string; sk: 'STATE' }, state, point);
      // Written by this snapshot alone, by a run that died before counting it: new all the same, so the
      // portfolio's customer count (an upper bound) never misses a customer after a retry.
      if (
        before &&
        before.firstSeen === state.snapshotDate &&
        historyText(before) === historyText(write.item)
      )
        return { ...write, change: 'created' as const };
      return write;
    });
    const refused = new Set<number>();
    const groups = Array.from({ length: Math.ceil(merged.length / WRITE_BATCH) }, (_, i) => i * WRITE_BATCH);
    await mapWithConcurrency(groups, 4, async (from) => {
      const group = merged.slice(from, from + WRITE_BATCH);
      try {
        this.writes += await batchWriteAll(
          this.options.client,
          table,
          group.map(({ item }) => ({ PutRequest: { Item: item } })),
        );
      } catch (error) {
        if (!isRefused(error)) throw error;
        // One item DynamoDB will never take fails its whole batch: write the batch one by one to find it.
        for (const [i, { item }] of group.entries()) {
          try {
            await this.write(() =>
              this.options.client.send(new PutCommand({ TableName: table, Item: item })),
            );
          } catch (single) {
            if (!isRefused(single)) throw single;
            refused.add(from + i);
          }
        }
      }
    });
    return merged.map(({ change }, i) => (refused.has(i) ? 'refused' : change));
  }

  async advancePortfolioDate(snapshotDate: IsoDate, newCustomers: number): Promise<void> {
    if (newCustomers > 0) {
      // A count of customer items, never lowered (customers that leave stay until they expire): an upper bound
      // of what the nightly scan reads, which is all the evaluation needs to size its shards.
      await this.write(() =>
        this.options.client.send(
          new UpdateCommand({
            TableName: this.options.portfolioTable,
            Key: keys.portfolio(),
            UpdateExpression: 'ADD customerItems :n SET entity = :entity',
            ExpressionAttributeValues: { ':n': newCustomers, ':entity': 'portfolio' },
          }),
        ),
      );
    }
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
