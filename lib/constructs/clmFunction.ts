import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../bundling';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ClmFunctionProps {
  /** The handler file under lambdas/handlers, without extension. */
  handler: string;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  environment?: Record<string, string>;
  /** Where async invocations go after their retries fail. */
  deadLetters: IQueue;
  /** Log retention; one month is enough to investigate a night that went wrong. */
  logRetention?: RetentionDays;
}

/** Every function of the app: newest Node.js, ARM64, bundled small with esbuild, its own log group, Powertools env. */
export class ClmFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ClmFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: `${ROOT}lambdas/handlers/${props.handler}.ts`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      deadLetterQueue: props.deadLetters,
      onFailure: new SqsDestination(props.deadLetters),
      retryAttempts: 2,
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'clm-autopilot',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'ClmAutopilot',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: BUNDLE_TARGET,
        banner: ESM_REQUIRE_BANNER,
        // The runtime's AWS SDK v3 instead of a bundled copy: the step function stays under 300 KB (npm run bench).
        externalModules: EXTERNAL_MODULES,
      },
    });
  }
}
