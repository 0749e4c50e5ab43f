import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliveryWiring } from '../../../lambdas/handlers/deliveryWiring';
import { playbookOf } from '../../../lambdas/handlers/evaluationWiring';
import { stepPayloadOf } from '../../../lambdas/handlers/step';
import { logger } from '../../../lambdas/shared/logger';
import { PowertoolsEventLog } from '../../../lambdas/shared/observability';
import { SAMPLE_BRAND } from '../../../local/emailSamples';

const ENV = {
  PORTFOLIO_TABLE: 'portfolio',
  ACTIVITY_TABLE: 'activity',
  BRAND: JSON.stringify(SAMPLE_BRAND),
  UNSUBSCRIBE_BASE_URL: 'https://abc.lambda-url.eu-central-1.on.aws',
  SENDER_EMAIL: 'success@reseller.example',
  SENDER_NAME: 'Northwind Licensing',
  SIGNING_SECRET_ID: 'clm/unsubscribe',
  ESCALATION_EMAILS: 'lead@reseller.example, second@reseller.example',
  AWS_REGION: 'eu-central-1',
};

afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel('ERROR');
});

describe('delivery wiring', () => {
  it('reads settings from the environment once, with defaults for the times', () => {
    // Act
    const wiring = deliveryWiring(ENV);

    // Assess
    expect(wiring.settings).toMatchObject({
      sendTime: '09:30',
      taskTime: '07:00',
      escalationEmails: ['lead@reseller.example', 'second@reseller.example'],
      brand: { name: 'Northwind Licensing' },
    });
    expect(playbookOf(ENV).plays).toHaveLength(10);
  });

  it('stops with a message naming what is wrong', () => {
    expect(() => deliveryWiring({ ...ENV, SEND_TIME: '9.30' })).toThrow(/SEND_TIME: expected HH:MM/);
    expect(() => deliveryWiring({ ...ENV, SENDER_EMAIL: '' })).toThrow(/SENDER_EMAIL: required/);
    expect(() => playbookOf({ ...ENV, PLAYBOOK: JSON.stringify({ plays: [] }) })).toThrow(/playbook/);
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
