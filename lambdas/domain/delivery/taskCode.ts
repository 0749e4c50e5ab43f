import { addDays, daysBetween, type IsoDate, isIsoDate } from '../dates';
import type { TaskRef } from './actionToken';

// The task ID printed under each task in a digest, for `clm task done|snooze ID`: it carries what an action token
// needs (the task's recipient, due day and task id, and its customer, to which a token is bound too), so the
// command needs no lookup. Not secret (the digest went to that recipient) and no authority: acting still needs the
// stack's signing secret.
//
// Form: `T` and the unpadded base64url of bytes, packed to keep it short enough to copy:
//   [form][due day: 2 bytes, days since 2000-01-01][task id][recipient] 0x00 [customer id]
// where form 1 has our task ids (32 hex digits) as 16 bytes and form 2 any other task id as UTF-8 ending in 0x00.

const PREFIX = 'T';
const EPOCH: IsoDate = '2000-01-01';
const HEX_ID = /^[0-9a-f]{32}$/;

export interface CodedTask extends TaskRef {
  customerId: string;
}

export class TaskCodeError extends Error {
  override name = 'TaskCodeError';
}

export function taskCodeOf(task: CodedTask): string {
  const day = daysBetween(EPOCH, task.dueOn);
  if (day < 0 || day > 0xffff || [task.to, task.taskId].some((text) => text.includes('\0')))
    throw new TaskCodeError(`task ${task.taskId} due ${task.dueOn} cannot be given a task ID`);
  const packed = HEX_ID.test(task.taskId);
  const head = Buffer.from([packed ? 1 : 2, day >> 8, day & 0xff]);
  const id = packed ? Buffer.from(task.taskId, 'hex') : Buffer.from(`${task.taskId}\0`);
  const rest = Buffer.from(`${task.to}\0${task.customerId}`);
  return PREFIX + Buffer.concat([head, id, rest]).toString('base64url');
}

/** The task a code names; a TaskCodeError saying why when it is not one of ours (mistyped, cut short). */
export function taskOfCode(code: string): CodedTask {
  const text = code.trim();
  const task = decode(text);
  // Only a code we would print is one: anything else (a typo that still decodes) is refused.
  if (!task || taskCodeOf(task) !== text)
    throw new TaskCodeError(
      `'${code}' is not a task ID: copy the whole "Task ID" shown under the task in the digest`,
    );
  return task;
}

function decode(text: string): CodedTask | null {
  if (!text.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(text.slice(PREFIX.length))) return null;
  const bytes = Buffer.from(text.slice(PREFIX.length), 'base64url');
  const form = bytes[0];
  if (bytes.length < 3 || (form !== 1 && form !== 2)) return null;
  const dueOn = addDays(EPOCH, (bytes[1]! << 8) | bytes[2]!);
  let taskId: string;
  let rest: Buffer;
  if (form === 1) {
    if (bytes.length < 19) return null;
    taskId = bytes.subarray(3, 19).toString('hex');
    rest = bytes.subarray(19);
  } else {
    const end = bytes.indexOf(0, 3);
    if (end < 0) return null;
    taskId = bytes.subarray(3, end).toString('utf8');
    rest = bytes.subarray(end + 1);
  }
  const split = rest.indexOf(0);
  if (split < 0) return null;
  const to = rest.subarray(0, split).toString('utf8');
  const customerId = rest.subarray(split + 1).toString('utf8');
  if (!taskId || !to.includes('@') || !customerId || !isIsoDate(dueOn)) return null;
  return { to, dueOn, taskId, customerId };
}
