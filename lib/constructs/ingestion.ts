import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONTACTS_PREFIX, REPORT_PREFIX, SNAPSHOT_PREFIX } from '../../lambdas/shared/environment';
import type { Settings } from '../../lambdas/shared/settings';
import { ClmFunction } from './clmFunction';

export interface IngestionProps {
  bucket: Bucket;
  portfolioTable: Table;
  activityTable: Table;
  deadLetters: Queue;
  settings: Settings;
}

/**
 * Snapshot uploads under snapshots/ and contacts directory uploads under contacts/ trigger the ingest function;
 * failures after retries land in the DLQ.
 */
export class Ingestion extends Construct {
  readonly function: ClmFunction<'ingest'>;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    this.function = new ClmFunction(this, 'Ingest', {
      handler: 'ingest',
      description: 'Reads an uploaded snapshot file into DynamoDB and writes its report',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      environment: {
        PORTFOLIO_TABLE: props.portfolioTable.tableName,
        ACTIVITY_TABLE: props.activityTable.tableName,
      },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    // Exactly what ingestion does with the bucket: read uploads, write reports.
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          props.bucket.arnForObjects(`${SNAPSHOT_PREFIX}*`),
          props.bucket.arnForObjects(`${CONTACTS_PREFIX}*`),
        ],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.bucket.arnForObjects(`${REPORT_PREFIX}*`)],
      }),
    );
    props.portfolioTable.grantReadWriteData(this.function);
    props.activityTable.grantReadWriteData(this.function);
    for (const prefix of [SNAPSHOT_PREFIX, CONTACTS_PREFIX])
      props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
        prefix,
      });
  }
}
