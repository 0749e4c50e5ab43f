import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK, PlaybookError, parsePlaybook } from '../../../lambdas/domain/playbook/playbook';

function withChange(change: (plays: Record<string, unknown>[]) => void): unknown {
  const copy = structuredClone(DEFAULT_PLAYBOOK) as unknown as { plays: Record<string, unknown>[] };
  change(copy.plays);
  return copy;
}

function problemsOf(input: unknown): string[] {
  try {
    parsePlaybook(input);
  } catch (error) {
    if (error instanceof PlaybookError) return error.problems;
    throw error;
  }
  return [];
}

const playIndex = (id: string) => DEFAULT_PLAYBOOK.plays.findIndex((p) => p.id === id);

describe('parsePlaybook', () => {
  it('accepts the default playbook, which holds every play of the lifecycle table', () => {
    // Act
    const playbook = parsePlaybook(structuredClone(DEFAULT_PLAYBOOK));

    // Assess
    expect(playbook.plays.map((p) => p.id)).toEqual([
      'welcome',
      'deployment',
      'active-use',
      'resources',
      'activation',
      'usage-drop',
      'growth',
      'renewal',
      'winback',
      'admin-change',
    ]);
  });

  it('names the play and step of an unknown template and lists the known ones', () => {
    // Prepare
    const input = withChange((plays) => {
      (plays[playIndex('renewal')]!.steps as { template?: string }[])[2]!.template = 'renewl';
    });

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^play "renewal", step 3: unknown template "renewl" \(known: welcome, /),
    ]);
  });

  it('rejects a negative offset', () => {
    // Prepare
    const input = withChange((plays) => {
      (plays[playIndex('deployment')]!.steps as { day: number }[])[1]!.day = -7;
    });

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^play "deployment", step 2 .*negative offset -7/)]);
  });

  it('rejects a duplicate play id', () => {
    // Prepare
    const input = withChange((plays) => {
      plays[playIndex('resources')]!.id = 'welcome';
    });

    // Assess
    expect(problemsOf(input)).toEqual([expect.stringContaining('play "welcome": duplicate play id')]);
  });

  it('rejects an unknown metric and says which metrics exist', () => {
    // Prepare
    const input = withChange((plays) => {
      (plays[playIndex('activation')]!.when as { metric: string }[])[0]!.metric = 'utilisation';
    });

    // Assess
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(
        /^play "activation" .*unknown metric "utilisation" \(known: deploymentPct, utilizationPct/,
      ),
    ]);
  });

  it('rejects a variant the template does not have', () => {
    // Prepare
    const input = withChange((plays) => {
      const steps = plays[playIndex('deployment')]!.steps as { variants?: { variant: string }[] }[];
      steps[0]!.variants![0]!.variant = 'nothing';
    });

    // Assess
    expect(problemsOf(input)).toEqual([
      'play "deployment", step 1: unknown variant "nothing" of template "deployment" (known: none, partial)',
    ]);
  });

  it('reports every problem at once', () => {
    // Prepare
    const input = withChange((plays) => {
      (plays[playIndex('deployment')]!.steps as { day: number }[])[1]!.day = -1;
      (plays[playIndex('activation')]!.when as { metric: string }[])[0]!.metric = 'usage';
    });

    // Assess
    expect(problemsOf(input)).toHaveLength(2);
  });
});
