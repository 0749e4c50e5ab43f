import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../../lambdas/domain/playbook/playbook';
import { evaluateRoot } from '../../../lambdas/handlers/evaluate';
import { stepPayloadOf } from '../../../lambdas/handlers/step';
import { documentClientOf } from '../../../lambdas/shared/awsClients';
import { environmentOf } from '../../../lambdas/shared/environment';
import { logger } from '../../../lambdas/shared/logger';
import { PowertoolsEventLog } from '../../../lambdas/shared/observability';
import { checkSettings, settingsFor } from '../../../lambdas/shared/settings';
import { LOCAL_SETTINGS } from '../../../local/localFunctions';
import { VirtualQueue, VirtualScheduler } from '../../../local/virtualAws';

const ENV = {
  PORTFOLIO_TABLE: 'portfolio',
  ACTIVITY_TABLE: 'activity',
  SCHEDULE_GROUP: 'clm-steps',
  SEND_QUEUE_ARN: 'arn:aws:sqs:eu-central-1:123456789012:send',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/steps',
  STEP_DLQ_ARN: 'arn:aws:sqs:eu-central-1:123456789012:dlq',
  SHARD_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/shards',
  AWS_REGION: 'eu-central-1',
};

afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel('ERROR');
});

describe('environment table', () => {
  it('gives a function exactly its own variables', () => {
    // Act
    const environment = environmentOf('evaluate', ENV);

    // Assess
    expect(Object.keys(environment).sort()).toEqual(
      [
        'PORTFOLIO_TABLE',
        'SCHEDULE_GROUP',
        'SCHEDULER_ROLE_ARN',
        'SHARD_QUEUE_URL',
        'SEND_QUEUE_ARN',
        'STEP_DLQ_ARN',
      ].sort(),
    );
  });

  it('stops at cold start with a message naming each variable that is wrong', () => {
    expect(() => environmentOf('step', { PORTFOLIO_TABLE: 'p', UNSUBSCRIBE_BASE_URL: 'not a url' })).toThrow(
      /ACTIVITY_TABLE: required[\s\S]*SIGNING_SECRET_ID: required[\s\S]*UNSUBSCRIBE_BASE_URL: expected an address/,
    );
    expect(() => environmentOf('evaluate', { ...ENV, SEND_QUEUE_ARN: 'send' })).toThrow(
      /SEND_QUEUE_ARN: expected an ARN/,
    );
  });
});

describe('settings file', () => {
  it('carries the playbook to the evaluators and the reading settings to ingest only', () => {
    // Prepare
    const all = { ...LOCAL_SETTINGS, reading: { dateFormat: 'DD/MM/YYYY' as const } };

    // Act
    const ingest = checkSettings('ingest', JSON.parse(JSON.stringify(settingsFor('ingest', all))));
    const evaluate = checkSettings('evaluate', JSON.parse(JSON.stringify(settingsFor('evaluate', all))));
    const step = settingsFor('step', all);

    // Assess
    expect(ingest.reading).toEqual({ dateFormat: 'DD/MM/YYYY' });
    expect(ingest).not.toHaveProperty('playbook');
    expect(evaluate).toHaveProperty('playbook', null);
    expect(evaluate).not.toHaveProperty('reading');
    expect(step).not.toHaveProperty('playbook');
    expect(step).not.toHaveProperty('reading');
  });

  it('stops with a message naming the setting that is wrong', () => {
    expect(() => checkSettings('step', { ...LOCAL_SETTINGS, sendTime: '9.30' })).toThrow(
      /sendTime: expected HH:MM/,
    );
    expect(() => checkSettings('ingest', settingsFor('step', LOCAL_SETTINGS))).toThrow(/reading: expected/);
  });

  it('gives the evaluator the reseller playbook, checked again at cold start', () => {
    // Prepare
    const input = (playbook: unknown) => ({
      environment: environmentOf('evaluate', ENV),
      settings: { ...LOCAL_SETTINGS, playbook },
      clients: {
        dynamodb: documentClientOf(new DynamoDBClient({ region: 'eu-central-1' })),
        scheduler: new VirtualScheduler().client,
        sqs: new VirtualQueue().client,
        ses: new SESv2Client({ region: 'eu-central-1' }),
      },
    });

    // Act
    const root = evaluateRoot(input(null));

    // Assess
    expect(root.settings.playbook).toBe(DEFAULT_PLAYBOOK);
    expect(root.customersPerShard).toBe(LOCAL_SETTINGS.customersPerShard);
    expect(() => evaluateRoot(input({ plays: [] }))).toThrow(/play/);
  });
});

describe('step payload', () => {
  it('passes what the evaluator schedules and refuses anything else', () => {
    expect(stepPayloadOf({ customerId: 'C-1', caseId: 'C-1#welcome#2027-03-02', step: 0 })).toEqual({
      customerId: 'C-1',
      caseId: 'C-1#welcome#2027-03-02',
      step: 0,
    });
    expect(() => stepPayloadOf({ customerId: 'C-1', caseId: '', step: 0 })).toThrow(/caseId/);
    expect(() => stepPayloadOf({ customerId: 'C-1', caseId: 'x', step: 1.5 })).toThrow(/step index/);
    expect(() => stepPayloadOf(null)).toThrow(TypeError);
  });
});

describe('event log in Lambda', () => {
  it('never writes an email address in clear', () => {
    // Prepare
    logger.setLogLevel('INFO');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });

    // Act
    new PowertoolsEventLog().record(
      {
        kind: 'email',
        customerId: 'C-1',
        play: 'welcome',
        template: 'welcome',
        variant: null,
        to: 'lena.wagner@nordstone.example',
        locale: 'de',
        caseId: 'C-1#welcome#2027-03-02',
      },
      new Date('2026-03-02T08:30:00Z'),
    );

    // Assess
    const output = lines.join('\n');
    expect(output).toContain('welcome');
    expect(output).not.toContain('lena.wagner@nordstone.example');
    expect(output).toContain('@nordstone.example');
  });
});
