import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import { type CustomerItem, historyText, stateOf } from '../../lambdas/adapters/dynamodb/customerItem';
import { keys } from '../../lambdas/adapters/dynamodb/tableDesign';
import { createIngestHandler, ingestRoot } from '../../lambdas/handlers/ingest';
import type { IngestOutcome } from '../../lambdas/ingest/ingestSnapshot';
import { environmentOf } from '../../lambdas/shared/environment';
import { type Settings, settingsFor } from '../../lambdas/shared/settings';
import { type LocalDynamo, type LocalS3, startDynamo, startS3 } from '../../local/emulators';
import { LOCAL_SETTINGS, localVariables } from '../../local/localFunctions';
import { RecordingEventLog } from './deliveryHarness';

/** dynalite + s3rver in-process, the ingest handler wired to them, and helpers to upload and look. */
export class IngestHarness {
  private readonly records: S3EventRecord[] = [];
  private waiters: (() => void)[] = [];
  documents: DynamoDBDocumentClient;

  private constructor(
    readonly dynamo: LocalDynamo,
    readonly s3: LocalS3,
  ) {
    this.documents = dynamo.documents;
    s3.onObjectCreated((record) => {
      this.records.push(record);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async start(): Promise<IngestHarness> {
    const [dynamo, s3] = await Promise.all([startDynamo(), startS3()]);
    return new IngestHarness(dynamo, s3);
  }

  /** Each file's ingest event, as the function records it (in Lambda: its metrics). */
  readonly events = new RecordingEventLog();

  /** The ingest handler, built by its composition root on these emulators' clients. */
  handler(documents: DynamoDBDocumentClient = this.documents, settings: Partial<Settings> = {}) {
    return createIngestHandler(
      ingestRoot({
        environment: environmentOf('ingest', localVariables(this.dynamo)),
        settings: settingsFor('ingest', { ...LOCAL_SETTINGS, ...settings }),
        clients: { dynamodb: documents, s3: this.s3.client },
        events: this.events,
      }),
    );
  }

  /** Uploads through the S3 API and returns the S3 event record the emulator emitted for it. */
  async upload(
    key: string,
    body: string | Buffer | AsyncIterable<Uint8Array>,
    contentLength?: number,
  ): Promise<S3EventRecord> {
    const seen = this.records.length;
    await this.s3.client.send(
      new PutObjectCommand({
        Bucket: this.s3.bucket,
        Key: key,
        Body: body as never,
        ...(contentLength !== undefined ? { ContentLength: contentLength } : {}),
      }),
    );
    while (this.records.length <= seen) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.records[this.records.length - 1]!;
  }

  async ingest(
    record: S3EventRecord,
    documents?: DynamoDBDocumentClient,
    settings?: Partial<Settings>,
  ): Promise<IngestOutcome[]> {
    return this.handler(documents, settings)({ Records: [record] });
  }

  /** The customer's item, its state read from the JSON it is stored as. */
  async customer(customerId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.dynamo.tables.Portfolio!, Key: keys.customer(customerId) }),
    );
    // As the item reads once unpacked: the state as an object, the history as its text.
    return (
      result.Item && {
        ...result.Item,
        state: stateOf(result.Item as CustomerItem),
        history: historyText(result.Item as CustomerItem),
      }
    );
  }

  async portfolioDate(): Promise<string | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.dynamo.tables.Portfolio!, Key: keys.portfolio() }),
    );
    return result.Item?.latestSnapshotDate as string | undefined;
  }

  async rawRowCount(snapshotDate: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.dynamo.tables.Activity!,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `SNAPSHOT#${snapshotDate}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) count += item.count as number;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async report(key: string): Promise<Record<string, unknown>> {
    const object = await this.s3.client.send(new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    await Promise.all([this.dynamo.close(), this.s3.close()]);
  }
}
