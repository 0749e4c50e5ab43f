import type { ClockTime } from '../domain/delivery/sendTime';
import type { Locale } from '../domain/locales';
import type { Playbook } from '../domain/playbook/schema';
import type { Brand } from '../rendering/model';

/** What delivery needs from configuration (CDK context in the stack, defaults locally). */
export interface DeliverySettings {
  /** Customer emails: this local time on business days, in the recipient's zone. */
  sendTime: ClockTime;
  /** Owner tasks and escalations are recorded at this time, before the morning digest. */
  taskTime: ClockTime;
  digestTime: ClockTime;
  defaultLocale: Locale;
  defaultTimezone: string;
  escalationEmails: string[];
  brand: Brand;
}

/** A step also links to the unsubscribe endpoint; the signed token is appended as /u/<token>. */
export interface StepSettings extends DeliverySettings {
  unsubscribeBaseUrl: string;
}

/** Digests link to the owner-action endpoint as /a/<token>. Null: digests without action links. */
export interface DigestSettings extends DeliverySettings {
  actionBaseUrl: string | null;
}

/** The nightly evaluation also needs the playbook; steps and digests do not (a case carries its steps). */
export interface EvaluationSettings extends DeliverySettings {
  playbook: Playbook;
}
