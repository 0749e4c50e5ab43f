import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Settings } from '../../lambdas/shared/settings';
import { ClmFunction } from './clmFunction';

export interface UnsubscribeProps {
  portfolioTable: Table;
  signingSecret: Secret;
  deadLetters: Queue;
  settings: Settings;
}

/** The public unsubscribe endpoint: a function URL; links carry an HMAC-signed token, so no other auth is needed. */
export class Unsubscribe extends Construct {
  readonly function: ClmFunction<'unsubscribe'>;
  readonly url: string;

  constructor(scope: Construct, id: string, props: UnsubscribeProps) {
    super(scope, id);
    this.function = new ClmFunction(this, 'Unsubscribe', {
      handler: 'unsubscribe',
      description: 'Unsubscribe links: confirmation page and one-click POST',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        PORTFOLIO_TABLE: props.portfolioTable.tableName,
        SIGNING_SECRET_ID: props.signingSecret.secretArn,
      },
      settings: props.settings,
      deadLetters: props.deadLetters,
    });
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url;
    // It only ever adds an address to the suppression list.
    props.portfolioTable.grantWriteData(this.function);
    props.signingSecret.grantRead(this.function);
  }
}
