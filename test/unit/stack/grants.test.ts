import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../../lambdas/shared/environment';
import type { ClmAutopilotStack } from '../../../lib/clmAutopilotStack';
import { removeTestApps, synthesizeStack } from '../../helpers/stackFactory';

// Least privilege per function: each function's role allows what its own handler does, nothing the others need.

let template: Template;
let stack: ClmAutopilotStack;
beforeAll(() => {
  ({ template, stack } = synthesizeStack());
}, 120_000);
afterAll(() => {
  removeTestApps();
});

type Statement = { Action: string | string[] };
type Policy = { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } };

/** Every action each function's role allows, sorted. */
function actionsByFunction(): Record<string, string[]> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Policy[];
  const functions = template.findResources('AWS::Lambda::Function');
  return Object.fromEntries(
    stack.functions.map((fn) => {
      const id = stack.getLogicalId(fn.node.defaultChild as never);
      const role = (functions[id] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties
        .Role['Fn::GetAtt'][0];
      const actions = policies
        .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()));
      return [fn.handlerName, [...new Set(actions)].sort()];
    }),
  );
}

const LOGS_AND_TRACES = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
/** Every async function sends its failures to the dead-letter queue. */
const DEAD_LETTERS = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const SECRET = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const SCHEDULES = ['iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule'];

const sorted = (...lists: string[][]) => [...new Set(lists.flat())].sort();

describe('grants per function', () => {
  it('gives each function only the actions its handler uses', () => {
    const expected: Record<FunctionName, string[]> = {
      ingest: sorted(LOGS_AND_TRACES, DEAD_LETTERS, READ, WRITE, ['s3:GetObject', 's3:PutObject']),
      evaluate: sorted(LOGS_AND_TRACES, DEAD_LETTERS, READ, WRITE, SCHEDULES, ['ses:GetAccount']),
      evaluateShard: sorted(
        LOGS_AND_TRACES,
        DEAD_LETTERS,
        READ,
        WRITE,
        SCHEDULES,
        ['ses:GetAccount'],
        // taking shards from its queue
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      ),
      step: sorted(
        LOGS_AND_TRACES,
        DEAD_LETTERS,
        READ,
        WRITE,
        SECRET,
        // the quota it paces to, and sending
        ['ses:GetAccount', 'ses:SendEmail'],
        // taking steps from the send queue (putting a waiting one back is DEAD_LETTERS' SendMessage)
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      ),
      digest: sorted(LOGS_AND_TRACES, DEAD_LETTERS, READ, WRITE, SECRET, ['ses:SendEmail']),
      // it only adds an address to the suppression list: no reads
      unsubscribe: sorted(LOGS_AND_TRACES, DEAD_LETTERS, WRITE, SECRET, ['dynamodb:DescribeTable']),
      ownerAction: sorted(LOGS_AND_TRACES, DEAD_LETTERS, READ, WRITE, SECRET, SCHEDULES),
      sesEvents: sorted(LOGS_AND_TRACES, DEAD_LETTERS, READ, WRITE),
    };
    expect(actionsByFunction()).toEqual(expected);
  });
});

describe('what each function may not do', () => {
  it('keeps the signing secret, sending and the bucket with the functions that use them', () => {
    const actions = actionsByFunction();
    const holders = (action: string) =>
      Object.entries(actions)
        .filter(([, list]) => list.includes(action))
        .map(([name]) => name)
        .sort();
    expect(holders('secretsmanager:GetSecretValue')).toEqual([
      'digest',
      'ownerAction',
      'step',
      'unsubscribe',
    ]);
    expect(holders('ses:SendEmail')).toEqual(['digest', 'step']);
    expect(holders('s3:GetObject')).toEqual(['ingest']);
    expect(holders('scheduler:CreateSchedule')).toEqual(['evaluate', 'evaluateShard', 'ownerAction']);
  });
});
