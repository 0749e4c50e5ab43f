import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  ACTIVITY_TABLE,
  PORTFOLIO_TABLE,
  type TableDesign,
} from '../../lambdas/adapters/dynamodb/tableDesign';

export interface DataStoreProps {
  dataRetentionDays: number;
}

/** Everything stateful: the snapshot bucket (and its access logs), the two tables, the unsubscribe signing key. */
export class DataStore extends Construct {
  readonly snapshotBucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly portfolioTable: Table;
  readonly activityTable: Table;
  readonly signingSecret: Secret;

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);
    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.dataRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.snapshotBucket = new Bucket(this, 'Snapshots', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'snapshots/',
      lifecycleRules: [
        {
          prefix: 'snapshots/',
          expiration: Duration.days(props.dataRetentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
        {
          prefix: 'reports/',
          expiration: Duration.days(props.dataRetentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const table = (design: TableDesign) =>
      new Table(this, design.id, {
        partitionKey: { name: design.partitionKey, type: AttributeType.STRING },
        sortKey: { name: design.sortKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        ...(design.timeToLiveAttribute ? { timeToLiveAttribute: design.timeToLiveAttribute } : {}),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.portfolioTable = table(PORTFOLIO_TABLE);
    this.activityTable = table(ACTIVITY_TABLE);
    this.signingSecret = new Secret(this, 'UnsubscribeSigningKey', {
      description:
        'HMAC key that signs unsubscribe links (rotating it invalidates links in emails already sent)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
  }
}
