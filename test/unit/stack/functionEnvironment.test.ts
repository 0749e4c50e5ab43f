import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaultPlaybook from '../../../lambdas/domain/playbook/defaultPlaybook.json';
import { FUNCTION_NAMES, FUNCTIONS } from '../../../lambdas/shared/environment';
import type { ClmAutopilotStack } from '../../../lib/clmAutopilotStack';
import { POWERTOOLS_ENVIRONMENT } from '../../../lib/constructs/clmFunction';
import { CONTEXT, removeTestApps, synthesizeStack } from '../../helpers/stackFactory';

// What the stack gives each function against what its handler reads (lambdas/shared/environment.ts), and the
// size of what goes into the environment: Lambda refuses more than 4 KB of variables per function at deploy.

const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/** A value only known at deploy (a table name, an ARN, a URL), counted at the longest such names get. */
const DEPLOY_TIME_VALUE = 256;

type Variables = Record<string, unknown>;

function variablesOf(template: Template, stack: ClmAutopilotStack) {
  const functions = template.findResources('AWS::Lambda::Function');
  return stack.functions.map((fn) => {
    const id = stack.getLogicalId(fn.node.defaultChild as never);
    const resource = functions[id] as { Properties: { Environment?: { Variables?: Variables } } };
    return { name: fn.handlerName, fn, variables: resource.Properties.Environment?.Variables ?? {} };
  });
}

function environmentSize(variables: Variables): number {
  return Object.entries(variables).reduce(
    (sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : DEPLOY_TIME_VALUE),
    0,
  );
}

const folder = mkdtempSync(join(tmpdir(), 'clm-playbook-'));
/** A reseller's own playbook of twenty plays, each as large as the default ones. */
function twentyPlays(): string {
  const plays = Array.from({ length: 20 }, (_, i) => {
    const play = defaultPlaybook.plays[i % defaultPlaybook.plays.length]!;
    return { ...play, id: `${play.id}-${i}`, description: `${play.description} (variant ${i} of ours)` };
  });
  const file = join(folder, 'twenty-plays.json');
  writeFileSync(file, JSON.stringify({ plays }, null, 2));
  return file;
}

let deployed: { template: Template; stack: ClmAutopilotStack };
let large: { template: Template; stack: ClmAutopilotStack };
let bare: { template: Template; stack: ClmAutopilotStack };
beforeAll(() => {
  deployed = synthesizeStack();
  large = synthesizeStack({ ...CONTEXT, playbook: twentyPlays() });
  const { escalationEmails: _, ...withoutLeads } = CONTEXT;
  bare = synthesizeStack(withoutLeads);
}, 240_000);
afterAll(() => {
  removeTestApps();
  rmSync(folder, { recursive: true, force: true });
});

describe('environment table', () => {
  it('has one function per handler', () => {
    expect(deployed.stack.functions.map((f) => f.handlerName).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('sets for each function every variable its handler reads, and nothing else', () => {
    for (const { name, variables } of variablesOf(deployed.template, deployed.stack)) {
      expect(Object.keys(variables).sort(), name).toEqual(
        [...FUNCTIONS[name].variables, ...Object.keys(POWERTOOLS_ENVIRONMENT)].sort(),
      );
    }
  });

  it('is the only place the handlers read the environment from', () => {
    // Prepare: every module the functions are bundled from
    const root = new URL('../../../lambdas/', import.meta.url);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

    // Act
    const readers = files.filter((f) => /process\.env\b/.test(readFileSync(new URL(f, root), 'utf8')));

    // Assess: the table, and Powertools' own service name (set for every function, see POWERTOOLS_ENVIRONMENT)
    expect(readers.sort()).toEqual(['shared/environment.ts', 'shared/logger.ts', 'shared/observability.ts']);
  });
});

describe('settings file', () => {
  it('carries the reseller playbook to the evaluators only, and the reading settings to ingest only', () => {
    for (const fn of large.stack.functions) {
      const evaluator = fn.handlerName === 'evaluate' || fn.handlerName === 'evaluateShard';
      expect(fn.settings.playbook !== undefined, fn.handlerName).toBe(evaluator);
      expect(fn.settings.reading !== undefined, fn.handlerName).toBe(fn.handlerName === 'ingest');
    }
    const evaluate = large.stack.functions.find((f) => f.handlerName === 'evaluate')!;
    expect((evaluate.settings.playbook as { plays: unknown[] }).plays).toHaveLength(20);
    expect(evaluate.settings).toMatchObject({
      taskTime: '07:00',
      sendTime: '09:30',
      customersPerShard: 50_000,
    });
  });

  it('keeps every function environment under 4 KB with a twenty-play playbook', () => {
    // Prepare: the playbook alone is larger than the whole environment may be
    expect(JSON.stringify(large.stack.functions[1]!.settings.playbook).length).toBeGreaterThan(
      LAMBDA_ENVIRONMENT_LIMIT,
    );

    // Act
    const sizes = variablesOf(large.template, large.stack).map(({ name, variables }) => ({
      name,
      size: environmentSize(variables),
    }));

    // Assess
    expect(sizes).toHaveLength(FUNCTION_NAMES.length);
    for (const { name, size } of sizes) expect(size, name).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT);
  });
});

describe('escalations', () => {
  it('go to the account owners when no team lead is configured, and synth says so', () => {
    Annotations.fromStack(bare.stack).hasWarning(
      '*',
      Match.stringLikeRegexp("escalations go to each customer's account owner"),
    );
    Annotations.fromStack(deployed.stack).hasNoWarning('*', Match.stringLikeRegexp('escalations go to'));
    expect(bare.stack.functions[0]!.settings.escalationEmails).toEqual([]);
  });
});
