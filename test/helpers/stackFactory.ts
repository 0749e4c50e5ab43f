import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClmAutopilotStack } from '../../lib/clmAutopilotStack';
import { loadConfig } from '../../lib/config';
import { acknowledgeFindings, applyNag } from '../../lib/nag';

export const CONTEXT: Record<string, string> = {
  senderEmail: 'licensing@reseller.example',
  postalAddress: 'Example Street 1, 12345 Example City',
  supportUrl: 'https://reseller.example/support',
  bookingUrl: 'https://reseller.example/book',
  escalationEmails: 'lead@reseller.example,second@reseller.example',
  alarmEmail: 'ops@reseller.example',
  defaultTimezone: 'Europe/Berlin',
};

const outdirs: string[] = [];

/** A test App that skips esbuild bundling and writes to a temp folder we remove. */
export function testApp(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'clm-cdk-'));
  outdirs.push(outdir);
  return new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
}

export function removeTestApps(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The stack as `cdk synth` builds it, with cdk-nag applied; synthesis throws on an unacknowledged finding. */
export function synthesizeStack(context: Record<string, string> = CONTEXT): {
  stack: ClmAutopilotStack;
  template: Template;
} {
  const app = testApp();
  const config = loadConfig((key) => context[key]);
  const stack = new ClmAutopilotStack(app, 'ClmAutopilot', {
    config,
    env: { account: '111122223333', region: 'eu-central-1' },
  });
  acknowledgeFindings(stack, stack.ownWildcards);
  applyNag(app);
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}
