import de from '../../templates/i18n/de.json';
import en from '../../templates/i18n/en.json';
import es from '../../templates/i18n/es.json';
import fr from '../../templates/i18n/fr.json';
import type { Locale } from '../domain/locales';

/** The words of one customer email in one language; variants replace some of them. */
export interface EmailCopy {
  subject: string;
  preheader: string;
  heading: string;
  body?: string[];
  steps?: string[];
  after?: string;
  cta: string;
  secondary?: string;
  variants?: Record<string, Partial<Omit<EmailCopy, 'variants'>>>;
}

export const DIGEST_WORDS = [
  'ownerSubject',
  'teamSubject',
  'ownerHeading',
  'teamHeading',
  'intro',
  'newTasks',
  'overdueTasks',
  'escalations',
  'renewals',
  'wins',
  'kpis',
  'ingestProblems',
  'contact',
  'previousContact',
  'due',
  'owner',
  'talkingPoints',
  'renewsOn',
  'utilization',
  'resolvedBy',
  'rejectedRows',
  'fileRejected',
  'belowSixty',
  'averageUtilization',
  'rising',
  'target',
  'met',
  'notMet',
  'nothing',
  'holdout',
  'holdoutEmailed',
  'holdoutHeldOut',
  'holdoutGroup',
  'holdoutTooSmall',
  'holdoutDifference',
  'taskCode',
  'actionDone',
  'actionSnooze',
  'actionPause',
  'actionWontRenew',
  'actionResume',
  'paused',
  'pausedUntil',
  'waitingForQuota',
  'teamActivity',
  'activityOwner',
  'activityDone',
  'activitySnoozed',
  'activityOverdue',
  'callScript',
  'objections',
] as const;
export type DigestWord = (typeof DIGEST_WORDS)[number];

export type DigestCopy = Record<DigestWord, string> & {
  tasks: Record<string, string>;
  plays: Record<string, string>;
  points: string[];
  /** Talking points of their own for some tasks (a new admin); other tasks use `points`. */
  /** A call script per task type: how to open, what to go through, and answers to common objections. */
  callScripts: Record<string, CallScript>;
};

export interface CallScript {
  opening: string;
  steps: string[];
  objections: { say: string; answer: string }[];
}

export interface Catalog {
  common: Record<string, string>;
  emails: Record<string, EmailCopy>;
  digest: DigestCopy;
}

/** Copy lives in templates/i18n/<locale>.json, one file per language with the same keys. */
export const CATALOGS: Record<Locale, Catalog> = { en, es, fr, de } as unknown as Record<Locale, Catalog>;
