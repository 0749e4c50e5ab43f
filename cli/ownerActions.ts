import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudFormationClient, stackOutput } from '../lambdas/adapters/cloudformation/stackOutputs';
import { cachedSecret } from '../lambdas/adapters/secrets/signingSecret';
import type { ActionOutcome } from '../lambdas/delivery/ownerActions';
import { type ActionClaims, MAX_PAUSE_DAYS, signActionToken } from '../lambdas/domain/delivery/actionToken';
import { TaskCodeError, taskOfCode } from '../lambdas/domain/delivery/taskCode';
import { type CliCommand, type CliIo, UsageError } from './command';
import { DEFAULT_STACK } from './upload';

// `clm task` and `clm customer`: the digest's action links for owners who prefer a shell. The command signs the
// same token a link carries, with the stack's signing secret read with the user's own AWS credentials, and posts
// it to the stack's owner-action endpoint as the confirmation page's button does: one path, one handler.

export const ACTION_URL_OUTPUT = 'OwnerActionUrl';
export const SECRET_OUTPUT = 'SigningSecretArn';

export interface OwnerActionClients {
  cloudFormation: CloudFormationClient;
  secrets: SecretsManagerClient;
  fetch: typeof fetch;
  now: () => Date;
}

const COMMON_OPTIONS = {
  stack: { type: 'string', default: DEFAULT_STACK },
  region: { type: 'string' },
} as const;

const WHERE = `The stack is found from its CloudFormation outputs ${ACTION_URL_OUTPUT} and ${SECRET_OUTPUT}; AWS credentials
come from the usual places and need cloudformation:DescribeStacks and secretsmanager:GetSecretValue on that secret.

  --stack NAME     the CloudFormation stack (default ${DEFAULT_STACK})
  --region REGION  the stack's region (default: your AWS configuration)
  -h, --help       show this help

Exit codes: 0 done, 1 nothing to act on (no such task or customer, already done, already used), 2 usage or AWS error.`;

const TASK_USAGE = `Usage: clm task done ID [--stack NAME] [--region REGION]
       clm task snooze ID [--stack NAME] [--region REGION]

Acts on a task from a digest, as its Done and Snooze 7 days links do, in the name of the task's recipient. ID is
the "Task ID" printed under the task. done closes the task and cancels the case's pending escalation; snooze
moves the task (and its escalation) by 7 days.

${WHERE}`;

const CUSTOMER_USAGE = `Usage: clm customer pause CUSTOMER_ID --by EMAIL [--days N] [--stack NAME] [--region REGION]
       clm customer resume CUSTOMER_ID --by EMAIL [--stack NAME] [--region REGION]

pause holds every email and task for the customer for N days (default 30, at most ${MAX_PAUSE_DAYS}), the
emails already scheduled included; resume lifts a pause. --by names who acts (recorded, and shown to the team
leads): usually the customer's account owner.

  --by EMAIL       the address of the person acting
  --days N         how long a pause lasts, in days
${WHERE}`;

type Outcome = ActionOutcome['kind'];

/** One line per outcome, and whether an action was taken (exit 0) or there was nothing to act on (exit 1). */
function lineOf(outcome: ActionOutcome, about: string, gone: string): [string, 0 | 1] {
  switch (outcome.kind) {
    case 'done':
    case 'wont-renew':
      return [`done: ${about} closed`, 0];
    case 'snoozed':
      return [`snoozed until ${outcome.until}: ${about}`, 0];
    case 'paused':
      return [`paused until ${outcome.until}: ${about}`, 0];
    case 'resumed':
      return [`resumed: ${about}`, 0];
    case 'gone':
      return [`gone: ${about} ${gone}`, 1];
    case 'used':
      // The token names the day it was made: the same command twice on one day is the same token.
      return [`already used: the same action on ${about} was taken earlier today; nothing changed`, 1];
    case 'closed':
      return [`already done: ${about} was closed before`, 1];
  }
}

/** What "nothing to act on" means for each command. */
const GONE = {
  task: 'is not there any more (expired, or never recorded)',
  pause: 'is not known to the stack',
  resume: 'is not paused',
};

export function createOwnerActionCommands(clientsFor: (region?: string) => OwnerActionClients): {
  task: CliCommand;
  customer: CliCommand;
} {
  /** Signs the claims and posts them to the stack's endpoint; the outcome, or one line saying why not. */
  async function act(
    claims: Omit<ActionClaims, 'issuedOn' | 'locale'>,
    values: { stack: string; region?: string | undefined },
    about: string,
    gone: string,
    io: CliIo,
  ): Promise<number> {
    let response: Response;
    try {
      const clients = clientsFor(values.region);
      const [url, secretArn] = await Promise.all([
        stackOutput(clients.cloudFormation, values.stack, ACTION_URL_OUTPUT),
        stackOutput(clients.cloudFormation, values.stack, SECRET_OUTPUT),
      ]);
      const secret = await cachedSecret(clients.secrets, secretArn)();
      const token = signActionToken(
        { ...claims, locale: 'en', issuedOn: clients.now().toISOString().slice(0, 10) },
        secret,
      );
      response = await clients.fetch(`${url.replace(/\/$/, '')}/a/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'confirm=yes',
      });
    } catch (error) {
      // No stack, no credentials, no access, no network: what went wrong, in one line.
      io.err(`Nothing changed: ${(error as Error).message.split('\n')[0]}`);
      return 2;
    }
    const answer = (await response.json().catch(() => null)) as {
      outcome?: { kind: Outcome; until?: string };
      refused?: string;
    } | null;
    if (!answer?.outcome) {
      // A refused token: the stack's secret changed while we signed, or an endpoint that is not ours.
      io.err(
        `Nothing changed: the stack refused the action (${answer?.refused ?? `HTTP ${response.status}`})`,
      );
      return 2;
    }
    const [line, code] = lineOf(answer.outcome as ActionOutcome, about, gone);
    (code === 0 ? io.out : io.err)(line);
    return code;
  }

  const task: CliCommand = {
    name: 'task',
    summary: 'mark a digest task done, or snooze it 7 days (clm task done|snooze ID)',
    usage: TASK_USAGE,
    async run(argv, io) {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: COMMON_OPTIONS,
      });
      const [verb, id, ...extra] = positionals;
      if (verb !== 'done' && verb !== 'snooze') throw new UsageError('say done or snooze, then the task ID');
      if (!id || extra.length > 0) throw new UsageError('give exactly one task ID');
      let coded: ReturnType<typeof taskOfCode>;
      try {
        coded = taskOfCode(id);
      } catch (error) {
        if (!(error instanceof TaskCodeError)) throw error;
        io.err(`clm task: ${error.message}`);
        return 2;
      }
      const { customerId, ...ref } = coded;
      return act(
        { action: verb, by: ref.to, customerId, task: ref },
        values,
        `task for customer ${customerId} due ${ref.dueOn}`,
        GONE.task,
        io,
      );
    },
  };

  const customer: CliCommand = {
    name: 'customer',
    summary: 'pause or resume every email and task for a customer (clm customer pause|resume ID)',
    usage: CUSTOMER_USAGE,
    async run(argv, io) {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { ...COMMON_OPTIONS, by: { type: 'string' }, days: { type: 'string' } },
      });
      const [verb, customerId, ...extra] = positionals;
      if (verb !== 'pause' && verb !== 'resume')
        throw new UsageError('say pause or resume, then the customer ID');
      if (!customerId || extra.length > 0) throw new UsageError('give exactly one CUSTOMER_ID');
      if (!values.by || !/^[^\s@]+@[^\s@]+$/.test(values.by))
        throw new UsageError('--by EMAIL is required: the address of the person acting');
      let days: number | undefined;
      if (values.days !== undefined) {
        if (verb !== 'pause') throw new UsageError('--days goes with pause only');
        days = Number(values.days);
        if (!/^[1-9][0-9]*$/.test(values.days) || days > MAX_PAUSE_DAYS)
          throw new UsageError(`--days must be a whole number of days from 1 to ${MAX_PAUSE_DAYS}`);
      }
      return act(
        { action: verb, by: values.by, customerId, task: null, ...(days === undefined ? {} : { days }) },
        values,
        `customer ${customerId}`,
        GONE[verb],
        io,
      );
    },
  };

  return { task, customer };
}

export const ownerActionCommands = createOwnerActionCommands((region) => ({
  cloudFormation: new CloudFormationClient(region ? { region } : {}),
  secrets: new SecretsManagerClient(region ? { region } : {}),
  fetch: (input, init) => fetch(input, init),
  now: () => new Date(),
}));
