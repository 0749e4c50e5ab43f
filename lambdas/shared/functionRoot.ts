import { DynamoPortfolioStore } from '../adapters/dynamodb/dynamoPortfolioStore';
import type { EventLog } from '../ports/eventLog';
import type { AwsClients } from './awsClients';
import { type EnvironmentOf, environmentOf, type FunctionName } from './environment';
import { bundledSettings, type Settings } from './settings';

/**
 * What a function's composition root is built from: its environment, its settings and the AWS clients it uses.
 * Lambda passes its own environment, the bundled settings file and real clients; the local run and the
 * integration tests pass emulator clients (and their own event log and clock). Nothing else differs.
 */
export interface RootInput<F extends FunctionName, C extends keyof AwsClients> {
  environment: EnvironmentOf<F>;
  settings: Settings;
  clients: Pick<AwsClients, C>;
  /** In Lambda, log lines and CloudWatch metrics; the local run writes events.jsonl. */
  events?: EventLog;
  now?: () => Date;
  /** Waits on that clock: given with `now` when the clock is virtual, so waiting moves it instead of the wall. */
  sleep?: (ms: number) => Promise<void>;
}

/** In Lambda: the function's environment and bundled settings, checked once. */
export function lambdaInput<F extends FunctionName, C extends keyof AwsClients>(
  fn: F,
  clients: Pick<AwsClients, C>,
): RootInput<F, C> {
  return { environment: environmentOf(fn), settings: bundledSettings(fn), clients };
}

/** Builds the handler on the first invocation (not at import, so tests can import handler modules freely). */
export function onColdStart<E, R>(make: () => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let handler: ((event: E) => Promise<R>) | undefined;
  return (event) => {
    handler ??= make();
    return handler(event);
  };
}

/** The portfolio store every delivery function reads: its table, the retention and the injected clock. */
export function portfolioStoreOf(input: {
  environment: { PORTFOLIO_TABLE: string };
  settings: { dataRetentionDays: number };
  clients: Pick<AwsClients, 'dynamodb'>;
  now?: () => Date;
}): DynamoPortfolioStore {
  return new DynamoPortfolioStore({
    client: input.clients.dynamodb,
    portfolioTable: input.environment.PORTFOLIO_TABLE,
    retentionDays: input.settings.dataRetentionDays,
    ...(input.now ? { now: input.now } : {}),
  });
}
