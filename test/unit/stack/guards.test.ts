import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyNag } from '../../../lib/nag';
import { removeTestApps, synthesizeStack, testApp } from '../../helpers/stackFactory';

afterAll(() => {
  removeTestApps();
});

describe('cdk-nag', () => {
  it('fails synthesis on a construct that breaks the rules', () => {
    // Prepare: a bucket without logging, TLS enforcement or public access block
    const app = testApp();
    const stack = new Stack(app, 'Careless', { env: { account: '111122223333', region: 'eu-central-1' } });
    new Bucket(stack, 'Leaky', { enforceSSL: false });
    applyNag(app);

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-S1|AwsSolutions-S10/);
  });
});

describe('the synthesized template', () => {
  it('uses only resource types and property names the CloudFormation resource database knows', async () => {
    // Prepare
    const { template } = synthesizeStack();
    const db = await loadAwsServiceSpec();
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;

    // Act
    const unknown: string[] = [];
    let checked = 0;
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CDK::Metadata') continue;
      const [spec] = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
      if (!spec) {
        unknown.push(`${logicalId}: unknown type ${resource.Type}`);
        continue;
      }
      checked++;
      const known = new Set(Object.keys(spec.properties));
      for (const property of Object.keys(resource.Properties ?? {})) {
        if (!known.has(property))
          unknown.push(`${logicalId} (${resource.Type}): unknown property ${property}`);
      }
    }

    // Assess
    expect(checked).toBeGreaterThan(40);
    expect(unknown).toEqual([]);
  }, 60_000);
});
