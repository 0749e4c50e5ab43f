import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SnapshotBucket, SnapshotObject } from '../../ports/snapshotBucket';

/** Snapshot files and their reports in S3. The object body is streamed, never buffered whole. */
export class S3SnapshotBucket implements SnapshotBucket {
  constructor(private readonly client: S3Client) {}

  async open(bucket: string, key: string): Promise<SnapshotObject> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body || !(Symbol.asyncIterator in body)) throw new Error(`object ${key} has no readable body`);
    return {
      bucket,
      key,
      eTag: (response.ETag ?? '').replaceAll('"', ''),
      lastModified: response.LastModified ?? new Date(),
      body,
    };
  }

  async putReport(bucket: string, key: string, report: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JSON.stringify(report, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  }
}
