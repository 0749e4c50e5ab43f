import { WriteStream } from 'node:fs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3 } from '../../../local/emulators';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

/** A busy disk: every chunk the emulator writes to a file lands 20 ms late. */
function slowDisk(): () => void {
  const prototype = WriteStream.prototype as unknown as {
    _write: (chunk: Buffer, encoding: string, done: (error?: Error | null) => void) => void;
    _writev?: unknown;
  };
  const { _write, _writev } = prototype;
  prototype._writev = undefined;
  prototype._write = function (this: WriteStream, chunk, encoding, done) {
    setTimeout(() => _write.call(this, chunk, encoding, done), 20);
  };
  return () => {
    prototype._write = _write;
    prototype._writev = _writev;
  };
}

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('the local S3', () => {
  it('answers a PUT and sends its event only once the object reads whole, even on a busy disk', async () => {
    // Prepare: a snapshot-sized object, and a reader that starts on the event as the local ingest does
    const body = Buffer.alloc(2 * 1024 * 1024, 'customer_id,admin_email\n');
    const readOnEvent = new Promise<number>((resolve, reject) => {
      s3.onObjectCreated((record: S3EventRecord) => {
        if (record.s3.object.key !== 'snapshots/busy-disk.csv') return;
        s3.client
          .send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/busy-disk.csv' }))
          .then((got) => got.Body!.transformToByteArray())
          .then((bytes) => resolve(bytes.length), reject);
      });
    });
    restore = slowDisk();

    // Act
    await s3.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/busy-disk.csv', Body: body }),
    );
    const readAfterAnswer = await s3.client
      .send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/busy-disk.csv' }))
      .then((got) => got.Body!.transformToByteArray());

    // Assess
    expect(await readOnEvent).toBe(body.length);
    expect(readAfterAnswer.length).toBe(body.length);
  });
});
