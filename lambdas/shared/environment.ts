// The one table of what each function is given: environment variables for where the deployed resources are
// (names the stack only knows at deploy time), and sections of the settings file for how the reseller wants things
// done (known at synth, see settings.ts). The stack sets exactly these, the handlers read exactly these.

/** The handler files under lambdas/handlers, one function each. */
export const FUNCTION_NAMES = [
  'ingest',
  'evaluate',
  'evaluateShard',
  'step',
  'digest',
  'unsubscribe',
  'ownerAction',
  'sesEvents',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Uploads under this prefix are snapshot files (the bucket notifies ingest for these only); reports go beside. */
export const SNAPSHOT_PREFIX = 'snapshots/';
export const REPORT_PREFIX = 'reports/';
/** Uploads under this prefix are contacts directory files (the bucket notifies ingest for these too). */
export const CONTACTS_PREFIX = 'contacts/';

type Kind = 'name' | 'arn' | 'url';

/** Every environment variable, named once, with what it holds. */
export const VARIABLES = {
  PORTFOLIO_TABLE: { kind: 'name', holds: 'the portfolio table: customers, cases, suppressions' },
  ACTIVITY_TABLE: { kind: 'name', holds: 'the activity table: raw rows, ledger, tasks, reports' },
  SIGNING_SECRET_ID: { kind: 'arn', holds: 'the secret that signs unsubscribe links' },
  CONFIGURATION_SET: { kind: 'name', holds: 'the SES configuration set emails are sent with' },
  UNSUBSCRIBE_BASE_URL: { kind: 'url', holds: 'the unsubscribe function URL' },
  ACTION_BASE_URL: { kind: 'url', holds: "the owner-action function URL, for the digests' links" },
  SCHEDULE_GROUP: { kind: 'name', holds: 'the schedule group of the one-time step schedules' },
  SEND_QUEUE_ARN: { kind: 'arn', holds: 'the send queue the step schedules deliver their payload to' },
  SEND_QUEUE_URL: { kind: 'url', holds: 'the send queue, for a step that must wait (SES throttling)' },
  SCHEDULER_ROLE_ARN: { kind: 'arn', holds: 'the role Scheduler assumes to send to the send queue' },
  STEP_DLQ_ARN: { kind: 'arn', holds: 'the dead-letter queue of the step schedules' },
  SHARD_QUEUE_URL: { kind: 'url', holds: 'the queue of evaluation shards' },
} as const satisfies Record<string, { kind: Kind; holds: string }>;
export type Variable = keyof typeof VARIABLES;

/** Optional sections of the settings file; every function gets the common settings too. */
export type SettingsSection = 'playbook' | 'reading';

const SCHEDULING = ['SCHEDULE_GROUP', 'SEND_QUEUE_ARN', 'SCHEDULER_ROLE_ARN', 'STEP_DLQ_ARN'] as const;

/** What each function is given, and nothing more. */
export const FUNCTIONS = {
  ingest: { variables: ['PORTFOLIO_TABLE', 'ACTIVITY_TABLE'], settings: ['reading'] },
  evaluate: { variables: ['PORTFOLIO_TABLE', ...SCHEDULING, 'SHARD_QUEUE_URL'], settings: ['playbook'] },
  evaluateShard: { variables: ['PORTFOLIO_TABLE', ...SCHEDULING], settings: ['playbook'] },
  step: {
    variables: [
      'PORTFOLIO_TABLE',
      'ACTIVITY_TABLE',
      'SIGNING_SECRET_ID',
      'CONFIGURATION_SET',
      'UNSUBSCRIBE_BASE_URL',
      'SEND_QUEUE_URL',
    ],
    settings: [],
  },
  digest: {
    variables: [
      'PORTFOLIO_TABLE',
      'ACTIVITY_TABLE',
      'CONFIGURATION_SET',
      'SIGNING_SECRET_ID',
      'ACTION_BASE_URL',
    ],
    settings: [],
  },
  unsubscribe: { variables: ['PORTFOLIO_TABLE', 'SIGNING_SECRET_ID'], settings: [] },
  ownerAction: {
    variables: ['PORTFOLIO_TABLE', 'ACTIVITY_TABLE', 'SIGNING_SECRET_ID', ...SCHEDULING],
    settings: [],
  },
  sesEvents: { variables: ['PORTFOLIO_TABLE', 'ACTIVITY_TABLE'], settings: [] },
} as const satisfies Record<
  FunctionName,
  { variables: readonly Variable[]; settings: readonly SettingsSection[] }
>;

/** The variables one function reads, as the stack must set them and the handler receives them. */
export type EnvironmentOf<F extends FunctionName> = {
  [K in (typeof FUNCTIONS)[F]['variables'][number]]: string;
};

export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

function problemOf(name: Variable, value: string | undefined): string | null {
  const { kind, holds } = VARIABLES[name];
  if (!value) return `${name}: required (${holds})`;
  if (kind === 'url' && !URL.canParse(value)) return `${name}: expected an address, got "${value}"`;
  if (kind === 'arn' && !value.startsWith('arn:')) return `${name}: expected an ARN, got "${value}"`;
  return null;
}

/**
 * A function's environment, checked once at cold start. No zod here: the stack wrote these values, and keeping
 * the schema library out keeps the send-time bundles small. What can still be wrong is named by its variable.
 */
export function environmentOf<F extends FunctionName>(
  fn: F,
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvironmentOf<F> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of FUNCTIONS[fn].variables as readonly Variable[]) {
    const value = env[name]?.trim();
    const problem = problemOf(name, value);
    if (problem) problems.push(problem);
    else values[name] = value as string;
  }
  if (problems.length > 0)
    throw new EnvironmentError(`the ${fn} function's environment is not usable:\n- ${problems.join('\n- ')}`);
  return values as EnvironmentOf<F>;
}
