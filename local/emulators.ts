import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import sesServer from 'aws-ses-v2-local';
import sesEmulatorIds from 'aws-ses-v2-local/dist/util.js';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { TABLES, type TableDesign } from '../lambdas/adapters/dynamodb/tableDesign';
import type { SendingQuota } from '../lambdas/ports/sendingQuota';
import { CLIENT_CONFIG, SENDER_SES_CONFIG } from '../lambdas/shared/awsClients';
import { SendingLimits, startQuotaProxy } from './sesQuota';

// Local stand-ins for the AWS APIs, started in-process on ephemeral loopback ports. The adapters talk to them
// with the real SDK clients, so what runs here is the code that runs in Lambda.

export const LOCAL_REGION = 'eu-central-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** Table names by design id (Portfolio, Activity). */
  tables: Record<string, string>;
  close(): Promise<void>;
}

export async function createTables(client: DynamoDBClient, prefix = 'clm'): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const design of TABLES) {
    const name = `${prefix}-${design.id}`;
    await client.send(new CreateTableCommand(tableDefinition(design, name)));
    names[design.id] = name;
  }
  return names;
}

function tableDefinition(design: TableDesign, name: string) {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: design.partitionKey, AttributeType: 'S' as const },
      { AttributeName: design.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: design.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: design.sortKey, KeyType: 'RANGE' as const },
    ],
  };
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

function localDynamo(
  endpoint: string,
  client: DynamoDBClient,
  tables: Record<string, string>,
  stop: () => Promise<unknown>,
): LocalDynamo {
  return {
    endpoint,
    client,
    documents: documentClient(client),
    tables,
    close: async () => {
      client.destroy();
      await stop();
    },
  };
}

export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    ...CLIENT_CONFIG,
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const tables = await createTables(client);
  return localDynamo(
    endpoint,
    client,
    tables,
    () => new Promise<void>((resolve) => server.close(() => resolve())),
  );
}

export interface LocalS3 {
  endpoint: string;
  client: S3Client;
  bucket: string;
  /** Real S3 event records, as S3 would deliver them to the ingest function. */
  onObjectCreated(listener: (record: S3EventRecord) => void): void;
  close(): Promise<void>;
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    ...CLIENT_CONFIG,
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    // s3rver stores aws-chunked framing inside the object unless checksums are only sent when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A key as S3 event notifications carry it: URL-encoded per path segment, spaces as '+'. */
export function s3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

/** What s3rver's file store is given to write, and the two of its methods a write uses. */
interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}
interface S3rverFileStore {
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}

/**
 * s3rver answers a PUT (and sends its event) once it has read the body, not once the file is written: on a busy
 * disk, an ingest started by the event could read the object empty or cut short. This writes the file to the
 * end before the object's metadata, the answer and the event, as S3 makes an object readable once its PUT
 * has succeeded.
 */
export function writeObjectsBeforeAnswering(store: S3rverFileStore): void {
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    await pipeline(content, count, createWriteStream(path));
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}

export async function startS3(bucket = 'clm-snapshots'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'clm-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true });
  writeObjectsBeforeAnswering((server as unknown as { store: S3rverFileStore }).store);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3Client(endpoint);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const listeners: ((record: S3EventRecord) => void)[] = [];
  server.on('event', (event) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated')) continue;
      // s3rver puts the plain key in its records; S3 URL-encodes it (spaces as '+'), and the handler must
      // cope with what S3 sends.
      const encoded = {
        ...record,
        s3: { ...record.s3, object: { ...record.s3.object, key: s3EventKey(record.s3.object.key) } },
      };
      for (const listener of listeners) listener(encoded);
    }
  });
  return {
    endpoint,
    client,
    bucket,
    onObjectCreated: (listener) => listeners.push(listener),
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

export interface LocalSes {
  endpoint: string;
  client: SESv2Client;
  /** The sender's client: configured as the step function's (a throttle goes back to the queue, not to retries). */
  senderClient: SESv2Client;
  /** The account's limits the emulator enforces, and the sends it refused for each. */
  limits: SendingLimits;
  refused: Record<'rate' | 'daily-quota', number>;
  /** The clock the limits count on: the run's virtual clock, once it has one. */
  useClock(now: () => Date): void;
  /** Everything the emulator received, oldest first. */
  emails(): Promise<StoredEmail[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** The local account's SES sending quota, as GetAccount answers it: an account out of the sandbox. */
export const LOCAL_SEND_QUOTA = { Max24HourSend: 50_000, MaxSendRate: 14 } as const;

/** What the emulator answers to GetAccount (it reads the account from its environment on every request). */
export function localSesAccount(quota: { Max24HourSend: number; MaxSendRate: number }): string {
  return JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Customer lifecycle emails of a software reseller',
      WebsiteURL: 'https://reseller.example',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { ...quota, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  });
}

/**
 * aws-ses-v2-local draws its message IDs at random. A sequence instead, from 1 for each emulator started (unique
 * in its store, as SES's IDs are unique): the IDs reach the SES events the local run replays, and through them the
 * task a bounce gives an owner, so a seed would else not give one run, nor two runs in one process the same.
 * The sequence is the emulator module's, so it holds for one emulator at a time in a process, as every local run
 * and test starts them (two alive at once would share it, and the second would start it again).
 */
function useSequentialMessageIds(): void {
  let sent = 0;
  (sesEmulatorIds as { getMessageId: () => string }).getMessageId = () =>
    `ses-${String(++sent).padStart(9, '0')}`;
}

/**
 * aws-ses-v2-local: the SES v1 and v2 APIs on a loopback port, keeping every email it is sent, behind a proxy that
 * enforces the account's sending quota (local/sesQuota.ts): the one given, or else the one AWS_SES_ACCOUNT states,
 * or else LOCAL_SEND_QUOTA. GetAccount answers the same quota.
 */
export async function startSes(quota?: SendingQuota): Promise<LocalSes> {
  if (quota)
    process.env.AWS_SES_ACCOUNT = localSesAccount({
      Max24HourSend: quota.dailyMessages,
      MaxSendRate: quota.messagesPerSecond,
    });
  process.env.AWS_SES_ACCOUNT ??= localSesAccount(LOCAL_SEND_QUOTA);
  const stated = (JSON.parse(process.env.AWS_SES_ACCOUNT) as { SendQuota: typeof LOCAL_SEND_QUOTA })
    .SendQuota;
  useSequentialMessageIds();
  // The package's default export is itself an ES-module namespace when loaded from ESM.
  const start = ((sesServer as unknown as { default?: typeof sesServer }).default ??
    sesServer) as typeof sesServer;
  const server = await start({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  const store = `http://127.0.0.1:${port}`;
  let clock = () => Date.now();
  const limits = new SendingLimits(
    { dailyMessages: stated.Max24HourSend, messagesPerSecond: stated.MaxSendRate },
    () => clock(),
  );
  const proxy = await startQuotaProxy(store, limits);
  const { endpoint } = proxy;
  const clientOf = (config: typeof CLIENT_CONFIG | typeof SENDER_SES_CONFIG) =>
    new SESv2Client({ ...config, endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const client = clientOf(CLIENT_CONFIG);
  const senderClient = clientOf(SENDER_SES_CONFIG);
  return {
    endpoint,
    client,
    senderClient,
    limits,
    refused: proxy.refused,
    useClock: (now) => {
      clock = () => now().getTime();
    },
    emails: async () => ((await (await fetch(`${store}/store`)).json()) as { emails: StoredEmail[] }).emails,
    clear: async () => {
      await fetch(`${store}/clear-store`, { method: 'POST' });
    },
    close: async () => {
      client.destroy();
      senderClient.destroy();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** dynalite in a child process (see dynamoServer.ts), with clients in this one. */
export async function startDynamoProcess(): Promise<LocalDynamo> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const script = new URL('./dynamoServer.ts', import.meta.url).pathname;
  // tsx resolved from here, not from the working folder: `clm` runs from anywhere.
  // stdin is a pipe the child watches: it exits when this process ends, however it ends.
  // A larger young generation: dynalite turns every request and stored item into short-lived JSON, and with the
  // default one it spends a tenth of its time collecting it.
  const flags = ['--max-semi-space-size=32'];
  const child = spawn(process.execPath, [...flags, '--import', import.meta.resolve('tsx'), script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let failed: ((code: number | null) => void) | undefined;
  let line: string;
  try {
    line = await new Promise<string>((resolve, reject) => {
      failed = (code) => reject(new Error(`dynalite process exited with ${code}`));
      child.once('exit', failed);
      createInterface({ input: child.stdout }).once('line', resolve);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.off('exit', failed!);
  const { endpoint, tables } = JSON.parse(line) as { endpoint: string; tables: Record<string, string> };
  const client = new DynamoDBClient({
    ...CLIENT_CONFIG,
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return localDynamo(endpoint, client, tables, stop);
}

export interface LocalAws {
  dynamo: LocalDynamo;
  s3: LocalS3;
  ses: LocalSes;
  close(): Promise<void>;
}

/** The three emulators of a local run; if one fails to start, the others are closed before the error. */
export async function startLocalAws(): Promise<LocalAws> {
  const started = await Promise.allSettled([startDynamoProcess(), startS3(), startSes()]);
  const closeAll = () =>
    Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await closeAll();
    throw failed.reason;
  }
  const [dynamo, s3, ses] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    LocalDynamo,
    LocalS3,
    LocalSes,
  ];
  return { dynamo, s3, ses, close: async () => void (await closeAll()) };
}
