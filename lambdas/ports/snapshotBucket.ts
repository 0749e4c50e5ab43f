/** A snapshot file as the bucket holds it: its identity and a stream of its bytes. */
export interface SnapshotObject {
  bucket: string;
  key: string;
  eTag: string;
  lastModified: Date;
  body: AsyncIterable<Uint8Array>;
}

/** Where resellers upload snapshot files and where the uploader finds the report on each. */
export interface SnapshotBucket {
  open(bucket: string, key: string): Promise<SnapshotObject>;
  putReport(bucket: string, key: string, report: unknown): Promise<void>;
}
