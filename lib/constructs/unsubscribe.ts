import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ClmFunction } from './clmFunction';

export interface UnsubscribeProps {
  portfolioTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  environment: Record<string, string>;
}

/** The public unsubscribe endpoint: a function URL; links carry an HMAC-signed token, so no other auth is needed. */
export class Unsubscribe extends Construct {
  readonly function: ClmFunction;
  readonly url: string;

  constructor(scope: Construct, id: string, props: UnsubscribeProps) {
    super(scope, id);
    this.function = new ClmFunction(this, 'Unsubscribe', {
      handler: 'unsubscribe',
      description: 'Unsubscribe links: confirmation page and one-click POST',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { ...props.environment, SIGNING_SECRET_ID: props.signingSecret.secretArn },
      deadLetters: props.deadLetters,
    });
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url;
    props.portfolioTable.grantReadWriteData(this.function);
    props.signingSecret.grantRead(this.function);
  }
}
