import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** cdk-nag's AwsSolutions and Serverless packs on every synth: an unacknowledged finding fails synthesis. */
export function applyNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** Findings we accept, each with the reason a reviewer needs. */
/** A wildcard resource inside something we own, as cdk-nag names it, and why it is needed. */
export interface OwnWildcard {
  pattern: string;
  reason: string;
}

export function acknowledgeFindings(stack: IConstruct, ownWildcards: OwnWildcard[]): void {
  const v = Validations.of(stack);
  const ack = (id: string, reason: string) => v.acknowledge({ id, reason });
  ack(
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'Functions use AWSLambdaBasicExecutionRole only, to write to their own log group.',
  );
  ack(
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    'Actions that take no resource: X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) and reading the SES sending quota (ses:GetAccount).',
  );
  for (const resource of ownWildcards) {
    ack(`AwsSolutions::AwsSolutions-IAM5[Resource::${resource.pattern}]`, resource.reason);
  }
  ack(
    'AwsSolutions::AwsSolutions-S1',
    'The access-log bucket does not log itself (that would loop); the snapshot bucket logs to it.',
  );
  ack(
    'AwsSolutions::AwsSolutions-SMG4',
    'Rotating the unsubscribe signing key would break the links in emails already sent.',
  );
  ack(
    'AwsSolutions::AwsSolutions-SQS3',
    'These queues are dead-letter queues: of every function and schedule, and of the send queue.',
  );
  ack(
    'Serverless::Serverless-LambdaEventSourceMappingDestination',
    "The shard and send queues are the only event sources: their redrive policies move a message that kept failing to a dead-letter queue (Lambda's on-failure destinations do not apply to SQS sources).",
  );
  ack(
    'Serverless::Serverless-SQSRedrivePolicy',
    'These queues are dead-letter queues themselves; messages end here to be looked at.',
  );
}
