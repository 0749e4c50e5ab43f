import type { DeliveryEvent } from '../../lambdas/ports/eventLog';

/** One line of events.jsonl: a delivery event at its virtual time. */
export type RunEvent = DeliveryEvent & { at: string };

/** One email or digest the run sent, as written to OUT/mail/. */
export interface RunMail {
  /** Path relative to OUT, e.g. mail/00001-2026-01-05-admin-example-com-welcome.html. */
  file: string;
  day: string;
  at: string;
  to: string;
  subject: string;
  kind: 'customer' | 'digest';
  /** Customer emails: whose and which template (from the send's tags); empty for digests. */
  customerId: string;
  template: string;
}

/**
 * What ties an `email` event to the HTML of that email: the virtual time, the customer and the template. A
 * customer gets at most one email a day, so the three name exactly one message.
 */
export const mailKey = (at: string, customerId: string, template: string) =>
  `${at}|${customerId}|${template}`;

/** Adds a value to the list under its key. */
export function addTo<K, V>(lists: Map<K, V[]>, key: K, value: V): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}
