import { createHash } from 'node:crypto';

// EventBridge Scheduler names: 1–64 characters of [0-9a-zA-Z-_.], unique within a group. Ours are deterministic
// (the same step always gets the same name, so a second attempt meets ConflictException instead of a twin) and
// readable: a kind prefix (steps are the only one-time schedules), a cleaned-up part of the subject, and a hash of the full identity.

const ALLOWED = /[^0-9a-zA-Z\-_.]/g;

export function scheduleName(kind: 'step', ...identity: string[]): string {
  const full = identity.join('|');
  const hash = createHash('sha256').update(`${kind}|${full}`).digest('hex').slice(0, 16);
  const readable = identity
    .join('.')
    .replace(ALLOWED, '-')
    .replace(/-+/g, '-')
    .slice(0, 64 - kind.length - hash.length - 2);
  return `${kind}-${readable}-${hash}`.replace(/--+/g, '-');
}

export const SCHEDULE_NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
