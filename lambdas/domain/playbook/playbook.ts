import type { z } from 'zod';
import defaultPlaybookJson from './defaultPlaybook.json';
import { EMAIL_TEMPLATES, type EmailTemplate, type Playbook, PlaybookSchema } from './schema';

export * from './schema';

/** A playbook that a reseller wrote and that does not hold up; the message lists every problem, one a line. */
export class PlaybookError extends Error {
  override name = 'PlaybookError';
  readonly problems: string[];

  constructor(problems: string[], options?: { cause?: unknown }) {
    super(
      `the playbook has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n- ${problems.join('\n- ')}`,
      options,
    );
    this.problems = problems;
  }
}

/** Names the place of a problem the way a reseller reads the file: play "renewal", step 2. */
function where(input: unknown, path: readonly PropertyKey[]): string {
  const plays = (input as { plays?: unknown[] } | null)?.plays;
  if (path[0] !== 'plays' || typeof path[1] !== 'number')
    return path.length ? `at ${path.join('.')}` : 'playbook';
  const play = plays?.[path[1]] as { id?: unknown } | undefined;
  const name = typeof play?.id === 'string' ? `play "${play.id}"` : `play #${path[1] + 1}`;
  if (path[2] === 'steps' && typeof path[3] === 'number') {
    const rest = path.slice(4);
    return `${name}, step ${path[3] + 1}${rest.length ? ` (${rest.join('.')})` : ''}`;
  }
  return path.length > 2 ? `${name} (${path.slice(2).join('.')})` : name;
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'steps')
    return `${where(input, issue.path)}: ${issue.message}`;
  if (issue.code === 'invalid_union' && issue.path.length >= 4 && issue.path[2] === 'steps') {
    return `${where(input, issue.path)}: unknown step kind (use email, task or escalation)`;
  }
  return `${where(input, issue.path)}: ${issue.message}`;
}

/** Checks a playbook (already parsed JSON) and returns it typed, or throws PlaybookError. */
export function parsePlaybook(input: unknown): Playbook {
  const parsed = PlaybookSchema.safeParse(input);
  if (!parsed.success)
    throw new PlaybookError(parsed.error.issues.map((issue) => describeIssue(input, issue)));
  const problems: string[] = [];
  const seen = new Set<string>();
  const known = Object.keys(EMAIL_TEMPLATES).join(', ');
  parsed.data.plays.forEach((play, p) => {
    if (seen.has(play.id)) problems.push(`play "${play.id}": duplicate play id (play #${p + 1})`);
    seen.add(play.id);
    if (play.opens.on === 'termWeek' && play.opens.to !== undefined && play.opens.to < play.opens.from) {
      problems.push(
        `play "${play.id}": opens from week ${play.opens.from} to week ${play.opens.to}, which never happens`,
      );
    }
    play.steps.forEach((step, s) => {
      if (step.kind !== 'email') return;
      const at = `play "${play.id}", step ${s + 1}`;
      const variants = EMAIL_TEMPLATES[step.template as EmailTemplate] as readonly string[] | undefined;
      if (!variants) {
        problems.push(`${at}: unknown template "${step.template}" (known: ${known})`);
        return;
      }
      for (const rule of step.variants ?? []) {
        if (!variants.includes(rule.variant)) {
          problems.push(
            `${at}: unknown variant "${rule.variant}" of template "${step.template}" (known: ${variants.join(', ')})`,
          );
        }
      }
    });
  });
  if (problems.length > 0) throw new PlaybookError(problems);
  return parsed.data;
}

/** The default playbook of the product: PRODUCT.md's lifecycle table as data (defaultPlaybook.json). */
export const DEFAULT_PLAYBOOK: Playbook = parsePlaybook(defaultPlaybookJson);
