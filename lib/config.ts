import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_CUSTOMERS_PER_SHARD } from '../lambdas/delivery/runNight';
import { isClockTime } from '../lambdas/domain/delivery/sendTime';
import { isTimeZone, LOCALES } from '../lambdas/domain/locales';
import { type Playbook, parsePlaybook } from '../lambdas/domain/playbook/playbook';
import {
  parseReadingSettings,
  type ReadingSettings,
  ReadingSettingsError,
} from '../lambdas/domain/snapshot/readingSettings';
import { Brand } from '../lambdas/rendering/brand';
import { DEFAULT_SENDER_CONCURRENCY } from '../lambdas/shared/settings';

// Deployment settings come from CDK context (`cdk deploy -c key=value`), checked once at synth so a typo stops
// `cdk synth`, not the 2 a.m. run.

const email = z.email('must be an email address');
const clock = z.string().refine(isClockTime, 'must be a time of day like 09:30');
const list = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(email));

const Context = z.object({
  senderEmail: email,
  senderName: z.string().min(1).default('Customer Success'),
  senderDomain: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain like reseller.example')
    .optional(),
  replyToEmail: email.optional(),
  escalationEmails: list.default([]),
  /** The account owner of customers that neither their rows nor the contacts directory give one. */
  defaultOwnerEmail: email.optional(),
  defaultLocale: z.enum(LOCALES).default('en'),
  defaultTimezone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone like Europe/Berlin')
    .default('UTC'),
  sendTime: clock.default('09:30'),
  taskTime: clock.default('07:00'),
  digestTime: clock.default('08:00'),
  evaluationTime: clock.default('02:00'),
  customersPerShard: z.coerce.number().int().min(1000).max(200_000).default(DEFAULT_CUSTOMERS_PER_SHARD),
  /** The SES quota to plan and pace with; both or neither. Unset: the account's own, read with GetAccount. */
  sesDailyQuota: z.coerce.number().int().min(1).optional(),
  sesMaxSendRate: z.coerce.number().positive().optional(),
  /** Senders draining the send queue at once; together they keep to the SES rate. */
  senderConcurrency: z.coerce.number().int().min(2).max(1000).default(DEFAULT_SENDER_CONCURRENCY),
  playbook: z.string().optional(),
  alarmEmail: email.optional(),
  /** A CloudWatch dashboard ($3 a month beyond the account's first three). */
  dashboard: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  dataRetentionDays: z.coerce.number().int().min(30).max(3650).default(400),
  brandName: z.string().min(1).optional(),
  brandLogoUrl: z.url().optional(),
  brandPrimaryColor: z.string().optional(),
  brandAccentColor: z.string().optional(),
  postalAddress: z.string().min(5, 'must be your postal address (it goes in every email footer)'),
  supportUrl: z.url(),
  bookingUrl: z.url(),
  adminConsoleUrl: z.url().optional(),
  signInUrl: z.url().optional(),
  trainingUrl: z.url().optional(),
  renewUrl: z.url().optional(),
});

export interface ClmConfig extends Omit<z.infer<typeof Context>, 'playbook'> {
  playbook: Playbook | null;
  brand: Brand;
  /** How the ingest function reads the uploads: the settings `clm validate` takes as options. */
  reading: ReadingSettings;
}

/** Context keys of the reading settings, and the option of `clm validate` each matches. */
const READING_KEYS = {
  exportFormat: '--preset',
  columnMapping: '--mapping',
  dateFormat: '--date-format',
  recordsPath: '--records-path',
  europeanNumbers: '--european-numbers',
} as const;

/**
 * The reading settings from `-c exportFormat=NAME -c columnMapping=FILE -c dateFormat=FORMAT -c recordsPath=PATH
 * -c europeanNumbers=true`, checked by the schema `clm validate` and the ingest function use.
 */
function readingSettingsOf(context: (key: string) => unknown): ReadingSettings {
  const value = (key: keyof typeof READING_KEYS) => {
    const v = context(key);
    return v === undefined || v === '' ? undefined : String(v);
  };
  const settings: Record<string, unknown> = {};
  const mappingPath = value('columnMapping');
  if (mappingPath) {
    try {
      settings.columnMapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
    } catch (error) {
      throw new ConfigError(`-c columnMapping=${mappingPath}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (value('exportFormat')) settings.preset = value('exportFormat');
  if (value('dateFormat')) settings.dateFormat = value('dateFormat');
  if (value('recordsPath')) settings.recordsPath = value('recordsPath');
  const european = value('europeanNumbers');
  if (european !== undefined) {
    if (european !== 'true' && european !== 'false')
      throw new ConfigError(`-c europeanNumbers=${european}: must be true or false`);
    settings.europeanNumbers = european === 'true';
  }
  try {
    return parseReadingSettings(settings, 'reading settings');
  } catch (error) {
    if (!(error instanceof ReadingSettingsError)) throw error;
    // Name the -c keys: the schema speaks of settings, the reseller types context keys.
    const message = error.message
      .replace(/^reading settings: /, '')
      .replace(/\bpreset: /, '-c exportFormat: ')
      .replace(/\bdate format: /, '-c dateFormat: ')
      .replace(/\bcolumn mapping/, `-c columnMapping=${mappingPath}:`)
      .replace(/\brecords path: /, '-c recordsPath: ');
    throw new ConfigError(`clm-autopilot configuration:\n  ${message}`, { cause: error });
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const EXAMPLES: Record<string, string> = {
  senderEmail: 'licensing@reseller.example',
  postalAddress: '"Street 1, 12345 City, Country"',
  supportUrl: 'https://reseller.example/support',
  bookingUrl: 'https://reseller.example/book',
};

/** Reads and checks the context; every problem names the `-c key=value` to pass. */
export function loadConfig(context: (key: string) => unknown): ClmConfig {
  const raw = Object.fromEntries(
    Object.keys(Context.shape)
      .map((key) => [key, context(key)] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = Context.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      const missing = raw[key] === undefined;
      return missing
        ? `missing -c ${key}=${EXAMPLES[key] ?? '<value>'}`
        : `-c ${key}=${String(raw[key])}: ${issue.message}`;
    });
    throw new ConfigError(`clm-autopilot configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  if ((c.sesDailyQuota === undefined) !== (c.sesMaxSendRate === undefined))
    throw new ConfigError(
      'clm-autopilot configuration:\n  -c sesDailyQuota and -c sesMaxSendRate go together (or leave both out)',
    );
  let playbook: Playbook | null = null;
  if (c.playbook) {
    try {
      playbook = parsePlaybook(JSON.parse(readFileSync(c.playbook, 'utf8')));
    } catch (error) {
      throw new ConfigError(`-c playbook=${c.playbook}: ${(error as Error).message}`, { cause: error });
    }
  }
  const brand = Brand.safeParse({
    name: c.brandName ?? c.senderName,
    logoUrl: c.brandLogoUrl ?? null,
    ...(c.brandPrimaryColor ? { primaryColor: c.brandPrimaryColor } : {}),
    ...(c.brandAccentColor ? { accentColor: c.brandAccentColor } : {}),
    postalAddress: c.postalAddress,
    adminConsoleUrl: c.adminConsoleUrl ?? c.supportUrl,
    signInUrl: c.signInUrl ?? c.supportUrl,
    bookingUrl: c.bookingUrl,
    supportUrl: c.supportUrl,
    trainingUrl: c.trainingUrl ?? c.supportUrl,
    renewUrl: c.renewUrl ?? c.bookingUrl,
  });
  if (!brand.success) {
    throw new ConfigError(
      `clm-autopilot configuration:\n  ${brand.error.issues.map((i) => `brand ${String(i.path[0])}: ${i.message}`).join('\n  ')}`,
    );
  }
  return { ...c, playbook, brand: brand.data, reading: readingSettingsOf(context) };
}
