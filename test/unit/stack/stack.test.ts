import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClmAutopilotStack } from '../../../lib/clmAutopilotStack';
import { ConfigError, loadConfig } from '../../../lib/config';
import { CONTEXT, removeTestApps, synthesizeStack } from '../../helpers/stackFactory';

let template: Template;
let stack: ClmAutopilotStack;
beforeAll(() => {
  ({ template, stack } = synthesizeStack());
}, 120_000);
afterAll(() => {
  removeTestApps();
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statements(): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('snapshot bucket', () => {
  it('is encrypted, private, TLS-only, versioned, expires old files and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'snapshots/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'snapshots/', ExpirationInDays: 400 }),
          Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 400 }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('sends uploads under snapshots/ and contacts/ to the ingest function, which reads only those', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: ['snapshots/', 'contacts/'].map((prefix) =>
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
          }),
        ),
      },
    });
    const reads = statements().filter((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(reads)).toContain('/contacts/*');
    expect(JSON.stringify(reads)).not.toContain('/reports/*');
  });
});

describe('tables', () => {
  it('are on-demand, with point-in-time recovery, deletion protection and TTL', () => {
    const tables = template.findResources('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
    expect(Object.keys(tables)).toHaveLength(2);
  });
});

describe('functions', () => {
  it('run on the newest Node.js on ARM64 with explicit memory, timeout, log retention and a dead-letter queue', () => {
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } }),
    );
    expect(functions).toHaveLength(8);
    for (const fn of functions as { Properties: Record<string, unknown> }[]) {
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        MemorySize: expect.any(Number),
        Timeout: expect.any(Number),
        DeadLetterConfig: { TargetArn: expect.anything() },
        LoggingConfig: { LogGroup: expect.anything() },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'clm-autopilot' }) },
      });
    }
    expect(
      Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 } })),
    ).toHaveLength(8);
    expect(Object.keys(template.findResources('AWS::Lambda::EventInvokeConfig'))).toHaveLength(8);
  });

  it('exposes the unsubscribe and owner-action functions through public function URLs (the tokens are signed)', () => {
    const urls = Object.values(
      template.findResources('AWS::Lambda::Url', { Properties: { AuthType: 'NONE' } }),
    );
    expect(urls.map((u) => JSON.stringify(u)).sort()).toEqual([
      expect.stringMatching(/OwnerActionsOwnerAction/),
      expect.stringMatching(/"Unsubscribe[0-9A-F]{8}"/),
    ]);
  });

  it('gives the owner-action function the tables, the secret and its schedules, and no way to send email', () => {
    const roleOf = (id: RegExp) =>
      Object.entries(template.findResources('AWS::IAM::Role')).find(([key]) => id.test(key))![0];
    const role = roleOf(/^OwnerActionsOwnerActionServiceRole/);
    const own = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(role),
      )
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
            .Statement,
      );
    const actions = own.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'secretsmanager:GetSecretValue',
        'scheduler:CreateSchedule',
      ]),
    );
    expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Weekday mornings'),
      Environment: { Variables: Match.objectLike({ ACTION_BASE_URL: Match.anyValue() }) },
    });
  });
});

describe('schedules', () => {
  it('run the nightly evaluation and the weekday digests in the reseller time zone, with a DLQ and retries', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 ? * * *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: { DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: { MaximumRetryAttempts: 3 } },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'ClmAutopilot-steps' });
  });

  it('lets the evaluators and the owner-action function pass only the step scheduler role, and manage schedules only in its group', () => {
    const passRole = statements().filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toHaveLength(3);
    for (const statement of passRole) {
      expect(statement.Resource).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^EvaluationStepSchedulerRole/), 'Arn'],
      });
    }
    const scheduling = statements().filter((s) => [s.Action].flat().includes('scheduler:CreateSchedule'));
    expect(scheduling).toHaveLength(3);
    for (const statement of scheduling)
      expect(JSON.stringify(statement.Resource)).toContain(':schedule/ClmAutopilot-steps/*');
  });

  it('splits a large night through an encrypted queue: one shard per worker invocation, ten at once, then the DLQ', () => {
    const queues = template.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: { maxReceiveCount: 3 } },
    });
    expect(Object.keys(queues)).toHaveLength(1);
    const [queueId, queue] = Object.entries(queues)[0]! as [string, { Properties: Record<string, unknown> }];
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, VisibilityTimeout: 5400 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const senders = statements().filter((s) => [s.Action].flat().includes('sqs:SendMessage'));
    const toShards = senders.filter((s) => JSON.stringify(s.Resource).includes(queueId));
    expect(toShards).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SHARD_QUEUE_URL: { Ref: queueId } }) },
    });
    expect(stack.functions.find((f) => f.handlerName === 'evaluate')?.settings.customersPerShard).toBe(
      50_000,
    );
  });
});

describe('send queue', () => {
  const sendQueue = () => {
    const queues = template.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: { maxReceiveCount: 5 } },
    });
    expect(Object.keys(queues)).toHaveLength(1);
    return Object.entries(queues)[0]! as [string, { Properties: Record<string, unknown> }];
  };

  it('is encrypted and TLS-only, hides a taken step six times the sender timeout, and has its own dead-letter queue', () => {
    // Act
    const [, queue] = sendQueue();

    // Assess
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 14 * 86_400,
    });
    const deadLetters = (
      queue.Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } }
    ).deadLetterTargetArn['Fn::GetAtt'][0]!;
    expect(deadLetters).toMatch(/^SendQueueDeadLetters/);
    const policies = JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toContain('aws:SecureTransport');
    // an alarm watches the send dead-letter queue
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { MetricName?: string; Dimensions?: { Value: unknown }[] };
    }[];
    expect(
      alarms.some(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties.Dimensions).includes(deadLetters),
      ),
    ).toBe(true);
  });

  it('is drained by the step function in batches of ten, two senders at most, reporting failed steps one by one', () => {
    // Act
    const [queueId] = sendQueue();

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SEND_QUEUE_URL: { Ref: queueId } }) },
    });
    expect(stack.functions.find((f) => f.handlerName === 'step')?.settings.senderConcurrency).toBe(2);
  });

  it('is where the step schedules deliver, through a role that may only send to it and to their dead-letter queue', () => {
    // Act
    const [queueId] = sendQueue();
    const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('EvaluationStepSchedulerRole'),
    )!;
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
    }[];
    const roleStatements = policies
      .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);

    // Assess
    expect(roleStatements.flatMap((s) => [s.Action].flat())).toEqual(['sqs:SendMessage', 'sqs:SendMessage']);
    expect(JSON.stringify(roleStatements[0]!.Resource)).toContain(queueId);
    for (const fn of ['evaluate', 'evaluateShard', 'ownerAction'])
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: Match.anyValue(),
        Environment: {
          Variables: Match.objectLike({ SEND_QUEUE_ARN: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
        },
        Description: Match.stringLikeRegexp(
          {
            evaluate: '^Nightly: evaluates',
            evaluateShard: '^Nightly, for a large',
            ownerAction: '^Digest action',
          }[fn]!,
        ),
      });
  });
});

describe('IAM', () => {
  it('grants no wildcard action anywhere', () => {
    const actions = statements().flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('allows sending only from the sender identity and configuration set', () => {
    const send = statements().filter((s) => [s.Action].flat().includes('ses:SendEmail'));
    expect(send.length).toBe(2);
    for (const s of send) expect(JSON.stringify(s.Resource)).toMatch(/identity.*configuration-set/);
  });
});

describe('SES', () => {
  it('reports bounces and complaints from the configuration set to EventBridge, and a rule sends them on', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['BOUNCE', 'COMPLAINT'],
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'licensing@reseller.example',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ses'], 'detail-type': ['Email Bounced', 'Email Complaint Received'] },
    });
  });
});

describe('observability', () => {
  it('alarms on dead letters, errors, throttles, ingest rejects, bounce and complaint rates, to the alarm email', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@reseller.example',
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { MetricName?: string } }).Properties.MetricName,
    );
    expect(alarms).toEqual(
      expect.arrayContaining([
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Throttles',
        'IngestRejects',
        'Reputation.BounceRate',
        'Reputation.ComplaintRate',
      ]),
    );
  });

  it('adds a dashboard only when asked for with -c dashboard=true (CloudWatch bills it by the month)', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(template.findOutputs('DashboardUrl'))).toEqual([]);
    const withDashboard = synthesizeStack({ ...CONTEXT, dashboard: 'true' }).template;
    withDashboard.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    withDashboard.hasOutput('DashboardUrl', Match.anyValue());
    const dashboard = JSON.stringify(withDashboard.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toMatch(/SEARCH\('\{ClmAutopilot,play,service\} MetricName=.{0,8}EmailSent/);
    expect(dashboard).toContain('Emails sent by play, per day');
  });

  it('outputs the bucket, an upload command, the unsubscribe and owner-action URLs, and the signing secret for clm', () => {
    for (const name of ['SnapshotBucketName', 'UploadCommand', 'UnsubscribeUrl', 'OwnerActionUrl'])
      template.hasOutput(name, Match.anyValue());
    // The ARN, not the value: the CLI reads the secret with its user's own credentials.
    template.hasOutput('SigningSecretArn', {
      Value: { Ref: Match.stringLikeRegexp('UnsubscribeSigningKey') },
    });
  });
});

describe('configuration', () => {
  it('says which -c key=value is missing or wrong', () => {
    const without = { ...CONTEXT, senderEmail: '' };
    expect(() => loadConfig((k) => (without as Record<string, string>)[k])).toThrow(
      /missing -c senderEmail=licensing@reseller\.example/,
    );
    const wrong = { ...CONTEXT, sendTime: '9.30', defaultTimezone: 'Mars/Base' };
    const load = () => loadConfig((k) => (wrong as Record<string, string>)[k]);
    expect(load).toThrow(/-c sendTime=9\.30: must be a time of day like 09:30/);
    expect(load).toThrow(/-c defaultTimezone=Mars\/Base: must be an IANA time zone/);
    expect(() => loadConfig((k) => ({ ...CONTEXT, playbook: 'no-such-playbook.json' })[k])).toThrow(
      ConfigError,
    );
  });

  it('takes a stated SES quota only whole: both -c sesDailyQuota and -c sesMaxSendRate, or neither', () => {
    const stated = loadConfig((k) => ({ ...CONTEXT, sesDailyQuota: '50000', sesMaxSendRate: '14' })[k]);
    expect(stated).toMatchObject({ sesDailyQuota: 50_000, sesMaxSendRate: 14 });
    expect(() => loadConfig((k) => ({ ...CONTEXT, sesDailyQuota: '50000' })[k])).toThrow(
      /-c sesDailyQuota and -c sesMaxSendRate go together/,
    );
    expect(() => loadConfig((k) => ({ ...CONTEXT, sesDailyQuota: '0', sesMaxSendRate: '14' })[k])).toThrow(
      /-c sesDailyQuota=0/,
    );
  });
});
