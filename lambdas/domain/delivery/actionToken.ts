import { daysBetween, type IsoDate, isIsoDate } from '../dates';
import { isLocale, type Locale } from '../locales';
import { signParts, verifyParts } from './signedToken';

// The links in a digest that let an owner or team lead act on a task: one token per link, naming the action, the
// person it was sent to and the task (or, for Resume, the customer), signed like the unsubscribe links.

export const OWNER_ACTIONS = ['done', 'snooze', 'pause', 'resume', 'wont-renew'] as const;
export type OwnerAction = (typeof OWNER_ACTIONS)[number];

/** Where a task is kept: its recipient, due day and id (the task book's key). */
export interface TaskRef {
  to: string;
  dueOn: IsoDate;
  taskId: string;
}

export interface ActionClaims {
  action: OwnerAction;
  /** The address the digest went to: who acts. */
  by: string;
  customerId: string;
  /** The task the link belongs to; null for Resume, and for a Pause of the customer itself (`clm customer pause`). */
  task: TaskRef | null;
  locale: Locale;
  issuedOn: IsoDate;
  /** How many days a Pause holds the customer, when not the default (`clm customer pause --days N`). */
  days?: number;
}

/** The longest pause a token may ask for: a year. */
export const MAX_PAUSE_DAYS = 366;

/** A digest's links work for a month: long enough for a holiday, short enough that an old email does little. */
export const ACTION_TOKEN_DAYS = 30;

export type ActionTokenCheck =
  | { valid: true; claims: ActionClaims }
  | { valid: false; reason: 'malformed' | 'forged' | 'expired' };

export function signActionToken(claims: ActionClaims, secret: string): string {
  const { task } = claims;
  return signParts(
    [
      claims.action,
      claims.by,
      claims.customerId,
      task?.to ?? '',
      task?.dueOn ?? '',
      task?.taskId ?? '',
      claims.locale,
      claims.issuedOn,
      // A ninth part only when a pause names its length, so the digests' links keep their form.
      ...(claims.days === undefined ? [] : [String(claims.days)]),
    ],
    secret,
  );
}

const isAction = (value: string): value is OwnerAction =>
  (OWNER_ACTIONS as readonly string[]).includes(value);

export function verifyActionToken(token: string, secret: string, today: IsoDate): ActionTokenCheck {
  const check = verifyParts(token, secret, [8, 9]);
  if (!check.valid) return check;
  const [action, by, customerId, to, dueOn, taskId, locale, issuedOn, daysPart] = check.parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (!isAction(action) || !isLocale(locale) || !isIsoDate(issuedOn) || !by || !customerId)
    return { valid: false, reason: 'malformed' };
  const task = taskId ? { to, dueOn, taskId } : null;
  // Only Resume and Pause may name no task: they act on the customer.
  if (task ? !isIsoDate(dueOn) : action !== 'resume' && action !== 'pause')
    return { valid: false, reason: 'malformed' };
  const days = daysPart === undefined ? undefined : Number(daysPart);
  if (days !== undefined && (action !== 'pause' || !/^[1-9][0-9]*$/.test(daysPart!) || days > MAX_PAUSE_DAYS))
    return { valid: false, reason: 'malformed' };
  if (daysBetween(issuedOn, today) > ACTION_TOKEN_DAYS) return { valid: false, reason: 'expired' };
  return {
    valid: true,
    claims: { action, by, customerId, task, locale, issuedOn, ...(days === undefined ? {} : { days }) },
  };
}
