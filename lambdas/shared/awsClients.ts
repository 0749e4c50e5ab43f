import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * How every AWS client retries, in Lambda and locally: the SDK's adaptive mode (exponential backoff with jitter,
 * plus client-side rate limiting once a service throttles), with more attempts than the default three so a busy
 * night rides out throttling. Adapters do not retry by hand.
 */
export const CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 8 } as const;

/**
 * The sender's SES client: one quick retry of a failed request, no more. A throttled send goes back to the send
 * queue for a few seconds instead of holding a sender (and its share of the rate) in the SDK's backoff.
 */
export const SENDER_SES_CONFIG = { ...CLIENT_CONFIG, retryMode: 'standard', maxAttempts: 2 } as const;

/** The clients a composition root may use; Lambda passes real ones, the local run and tests emulator ones. */
export interface AwsClients {
  dynamodb: DynamoDBDocumentClient;
  s3: S3Client;
  ses: SESv2Client;
  scheduler: SchedulerClient;
  sqs: SQSClient;
  secrets: SecretsManagerClient;
}

/** The document client every DynamoDB adapter takes: undefined attributes are left out, not refused. */
export function documentClientOf(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** In Lambda: a DynamoDB document client with the shared configuration. */
export function lambdaDocumentClient(): DynamoDBDocumentClient {
  return documentClientOf(new DynamoDBClient(CLIENT_CONFIG));
}
