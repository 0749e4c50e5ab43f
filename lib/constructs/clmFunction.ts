import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stage } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvironmentOf, FunctionName } from '../../lambdas/shared/environment';
import { SETTINGS_FILE, type Settings, settingsFor } from '../../lambdas/shared/settings';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../bundling';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What Powertools reads; the same for every function and not part of the app's own table. */
export const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'clm-autopilot',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_NAMESPACE: 'ClmAutopilot',
  NODE_OPTIONS: '--enable-source-maps',
};

export interface ClmFunctionProps<F extends FunctionName> {
  /** The handler file under lambdas/handlers, without extension. */
  handler: F;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  /** Exactly the variables the handler reads (lambdas/shared/environment.ts). */
  environment: EnvironmentOf<F>;
  /** The reseller's settings; the function's bundle carries its share as settings.json. */
  settings: Settings;
  /** Where async invocations go after their retries fail. */
  deadLetters: IQueue;
  /** Log retention; one month is enough to investigate a night that went wrong. */
  logRetention?: RetentionDays;
}

/** Writes the function's settings file where the bundling step copies it from (the cloud assembly folder). */
function settingsFileOf(scope: Construct, id: string, settings: Settings): string {
  const dir = join(Stage.of(scope)?.outdir ?? ROOT, 'clm-settings');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `${[...scope.node.scopes.map((s) => s.node.id).filter(Boolean), id].join('-')}.json`,
  );
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

/** Every function of the app: newest Node.js, ARM64, bundled small with esbuild, its own log group, Powertools env. */
export class ClmFunction<F extends FunctionName = FunctionName> extends NodejsFunction {
  readonly handlerName: F;
  /** What settings.json in the bundle holds. */
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props: ClmFunctionProps<F>) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const settings = settingsFor(props.handler, props.settings);
    const settingsFile = settingsFileOf(scope, id, settings);
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
      environment: { ...POWERTOOLS_ENVIRONMENT, ...(props.environment as Record<string, string>) },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: BUNDLE_TARGET,
        banner: ESM_REQUIRE_BANNER,
        // The runtime's AWS SDK v3 instead of a bundled copy: the step function stays under 300 KB (npm run bench).
        externalModules: EXTERNAL_MODULES,
        // The settings travel beside the code, not in the environment (4 KB at most): see lambdas/shared/settings.ts.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [
            `cp "${settingsFile}" "${join(output, SETTINGS_FILE)}"`,
          ],
        },
      },
    });
    this.handlerName = props.handler;
    this.settings = settings;
  }
}
