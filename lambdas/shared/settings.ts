import { readFileSync } from 'node:fs';
import type { DeliverySettings } from '../delivery/settings';
import { type ClockTime, isClockTime } from '../domain/delivery/sendTime';
import { LOCALES, type Locale } from '../domain/locales';
import type { ReadingSettings } from '../domain/snapshot/readingSettings';
import type { SendingQuota } from '../ports/sendingQuota';
import type { Brand } from '../rendering/model';
import { FUNCTIONS, type FunctionName, type SettingsSection } from './environment';

// The reseller's settings travel as a JSON file in each function's bundle, not in the environment: Lambda allows
// 4 KB of environment variables per function, and a playbook alone can be larger. The stack checks everything at
// synth (lib/config.ts) and writes the file; a function reads it once, at cold start.

/** The file's name beside each function's bundled code. */
export const SETTINGS_FILE = 'settings.json';

export type { ReadingSettings };

/** What every function is given, and the sections some of them get (see FUNCTIONS in environment.ts). */
export interface Settings {
  dataRetentionDays: number;
  defaultLocale: Locale;
  defaultTimezone: string;
  sendTime: ClockTime;
  taskTime: ClockTime;
  digestTime: ClockTime;
  /** Team leads; escalations go to the account owner when there are none. */
  escalationEmails: string[];
  brand: Brand;
  sender: { email: string; name: string; replyTo?: string };
  customersPerShard: number;
  /**
   * The SES sending quota to plan and pace with, when the reseller states it; otherwise the account's own, read
   * with SES GetAccount.
   */
  sendingQuota?: SendingQuota;
  /** Senders draining the send queue at once (its maximum concurrency); each paces to its share of the rate. */
  senderConcurrency?: number;
  /** Evaluators only: the reseller's playbook as written (parsed at cold start), or null for the default one. */
  playbook?: unknown;
  /** The account owner of customers that neither their rows nor the contacts directory give one. */
  defaultOwnerEmail?: string;
  /** Ingest only: how the reseller's export is read (the settings `clm validate` takes). */
  reading?: ReadingSettings;
}

export class SettingsFileError extends Error {
  override name = 'SettingsFileError';
}

/** The settings one function is given: the common ones and its own sections, nothing else. */
export function settingsFor(fn: FunctionName, all: Settings): Settings {
  const { playbook, reading, ...common } = all;
  const sections = FUNCTIONS[fn].settings as readonly SettingsSection[];
  return {
    ...common,
    ...(sections.includes('playbook') ? { playbook: playbook ?? null } : {}),
    ...(sections.includes('reading') ? { reading: reading ?? {} } : {}),
  };
}

/** Two senders: the least an SQS event source mapping allows, enough for any SES rate a sender can keep up with. */
export const DEFAULT_SENDER_CONCURRENCY = 2;

/** Checks what the stack wrote; each problem names the setting. */
export function checkSettings(fn: FunctionName, value: unknown): Settings {
  const s = (value ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const need = (key: string, ok: boolean, expected: string) => {
    if (!ok) problems.push(`${key}: expected ${expected}, got ${JSON.stringify(s[key]) ?? 'nothing'}`);
  };
  const wholeNumber = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  need('dataRetentionDays', wholeNumber(s.dataRetentionDays), 'a whole number of days');
  need('defaultLocale', LOCALES.includes(s.defaultLocale as Locale), `one of ${LOCALES.join(', ')}`);
  need('defaultTimezone', typeof s.defaultTimezone === 'string' && s.defaultTimezone !== '', 'a time zone');
  for (const key of ['sendTime', 'taskTime', 'digestTime'])
    need(key, typeof s[key] === 'string' && isClockTime(s[key] as string), 'HH:MM');
  need(
    'escalationEmails',
    Array.isArray(s.escalationEmails) && s.escalationEmails.every((e) => typeof e === 'string'),
    'a list of addresses',
  );
  need('brand', typeof s.brand === 'object' && s.brand !== null, 'the brand');
  const sender = s.sender as Settings['sender'] | undefined;
  need('sender', typeof sender?.email === 'string' && typeof sender.name === 'string', 'an email and a name');
  need('customersPerShard', wholeNumber(s.customersPerShard), 'a whole number of customers');
  if (s.defaultOwnerEmail !== undefined)
    need(
      'defaultOwnerEmail',
      typeof s.defaultOwnerEmail === 'string' && s.defaultOwnerEmail.includes('@'),
      'an address',
    );
  if (s.sendingQuota !== undefined) {
    const q = s.sendingQuota as Partial<SendingQuota> | null;
    need(
      'sendingQuota',
      wholeNumber(q?.dailyMessages) && typeof q?.messagesPerSecond === 'number' && q.messagesPerSecond > 0,
      'a daily message count and a rate a second',
    );
  }
  if (s.senderConcurrency !== undefined)
    need(
      'senderConcurrency',
      Number.isInteger(s.senderConcurrency) && (s.senderConcurrency as number) >= 2,
      'a whole number of senders, at least 2',
    );
  for (const section of FUNCTIONS[fn].settings as readonly SettingsSection[])
    need(section, section in s, `the ${section} section`);
  if (problems.length > 0)
    throw new SettingsFileError(`${SETTINGS_FILE} of the ${fn} function:\n- ${problems.join('\n- ')}`);
  return s as unknown as Settings;
}

/** In Lambda: the file the stack put beside the bundle, read once per container. */
export function bundledSettings(fn: FunctionName): Settings {
  const file = new URL(`./${SETTINGS_FILE}`, import.meta.url);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingsFileError(`${SETTINGS_FILE} missing beside the ${fn} function's code`, {
      cause: error,
    });
  }
  try {
    return checkSettings(fn, JSON.parse(text));
  } catch (error) {
    if (error instanceof SettingsFileError) throw error;
    throw new SettingsFileError(`${SETTINGS_FILE} of the ${fn} function is not JSON`, { cause: error });
  }
}

/** What delivery uses of the settings. */
export function deliverySettingsOf(s: Settings): DeliverySettings {
  return {
    sendTime: s.sendTime,
    taskTime: s.taskTime,
    digestTime: s.digestTime,
    defaultLocale: s.defaultLocale,
    defaultTimezone: s.defaultTimezone,
    escalationEmails: s.escalationEmails,
    brand: s.brand,
  };
}
