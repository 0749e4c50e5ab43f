import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { documentClient, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators';

// Fault injection on the wire: an SDK client whose HTTP handler answers chosen requests with the error response
// the real service sends (throttling, a refused item, a 500), before the emulator sees them or after it acted.
// The SDK parses and retries these as it would in Lambda, so what a test sees is what a deployed function does.

export interface WireCall {
  /** DynamoDB: the operation (BatchWriteItem, PutItem...); S3: the method and path ("GET /bucket/key"). */
  operation: string;
  body: string;
}

export interface WireFault {
  status: number;
  /** DynamoDB: the error's __type; S3: the error Code. */
  code: string;
  message: string;
  /** The emulator did the request, then the answer was lost. */
  after?: boolean;
}

export type WireRule = (call: WireCall, count: number) => WireFault | undefined;

export interface WireLog {
  /** Requests per operation, answered or faulted. */
  calls: Record<string, number>;
  /** Faults answered per code. */
  faults: Record<string, number>;
}

class FaultyHandler extends NodeHttpHandler {
  readonly log: WireLog = { calls: {}, faults: {} };

  constructor(
    private readonly rule: WireRule,
    private readonly errorBody: (fault: WireFault) => { contentType: string; text: string },
    private readonly operationOf: (request: {
      method: string;
      path: string;
      headers: Record<string, string>;
    }) => string,
  ) {
    super();
  }

  override async handle(
    ...args: Parameters<NodeHttpHandler['handle']>
  ): ReturnType<NodeHttpHandler['handle']> {
    const [request] = args;
    const operation = this.operationOf(request);
    const body =
      typeof request.body === 'string'
        ? request.body
        : request.body instanceof Uint8Array
          ? new TextDecoder().decode(request.body)
          : '';
    const count = (this.log.calls[operation] ?? 0) + 1;
    this.log.calls[operation] = count;
    const fault = this.rule({ operation, body }, count);
    if (!fault) return super.handle(...args);
    if (fault.after) {
      const { response } = await super.handle(...args);
      (response.body as Readable | undefined)?.resume?.();
    }
    this.log.faults[fault.code] = (this.log.faults[fault.code] ?? 0) + 1;
    const { contentType, text } = this.errorBody(fault);
    return {
      response: {
        statusCode: fault.status,
        reason: fault.code,
        headers: { 'content-type': contentType, 'x-amzn-errortype': fault.code },
        body: Readable.from([Buffer.from(text)]),
      },
    } as Awaited<ReturnType<NodeHttpHandler['handle']>>;
  }
}

/** A document client on `endpoint` whose requests pass `rule` first. */
export function faultyDynamo(
  endpoint: string,
  rule: WireRule,
): { documents: DynamoDBDocumentClient; log: WireLog } {
  const handler = new FaultyHandler(
    rule,
    (fault) => ({
      contentType: 'application/x-amz-json-1.0',
      text: JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`,
        message: fault.message,
      }),
    }),
    (request) => (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '',
  );
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: handler,
  });
  return { documents: documentClient(client), log: handler.log };
}

/** An S3 client on `endpoint` (path style, as the local one) whose requests pass `rule` first. */
export function faultyS3(endpoint: string, rule: WireRule): { client: S3Client; log: WireLog } {
  const handler = new FaultyHandler(
    rule,
    (fault) => ({
      contentType: 'application/xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${fault.message}</Message></Error>`,
    }),
    (request) => `${request.method} ${request.path}`,
  );
  const client = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: handler,
  });
  return { client, log: handler.log };
}

/** DynamoDB's answer to an item over 400 KB (the whole BatchWriteItem fails with it). */
export const itemTooLarge: WireFault = {
  status: 400,
  code: 'ValidationException',
  message: 'Item size has exceeded the maximum allowed size',
};

export const dynamoThrottling: WireFault = {
  status: 400,
  code: 'ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded.',
};

export const s3SlowDown: WireFault = {
  status: 503,
  code: 'SlowDown',
  message: 'Please reduce your request rate.',
};
