import { isIsoDate } from '../dates';
import type { TaskRef } from './actionToken';

// The task ID printed under each task in a digest, for `clm task done|snooze ID`: it carries what an action token
// needs (the task's recipient, due day and task id, and its customer, to which a token is bound too), so the
// command needs no lookup. Form: `T` and the unpadded base64url of the JSON array [to, dueOn, taskId, customerId].
// Not secret (the digest went to that recipient) and no authority: acting still needs the stack's signing secret.

const PREFIX = 'T';

export class TaskCodeError extends Error {
  override name = 'TaskCodeError';
}

export interface CodedTask extends TaskRef {
  customerId: string;
}

export function taskCodeOf(task: CodedTask): string {
  const parts = [task.to, task.dueOn, task.taskId, task.customerId];
  return PREFIX + Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The task a code names; a TaskCodeError saying why when it is not one of ours (mistyped, cut short). */
export function taskOfCode(code: string): CodedTask {
  const body = code.trim();
  const invalid = () =>
    new TaskCodeError(
      `'${code}' is not a task ID: copy the whole "Task ID" shown under the task in the digest`,
    );
  if (!body.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(body.slice(1))) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.slice(1), 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    !parsed.every((p) => typeof p === 'string' && p.length > 0) ||
    !isIsoDate(parsed[1]) ||
    !String(parsed[0]).includes('@')
  )
    throw invalid();
  const [to, dueOn, taskId, customerId] = parsed as [string, string, string, string];
  return { to, dueOn, taskId, customerId };
}
