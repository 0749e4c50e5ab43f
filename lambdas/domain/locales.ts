export const LOCALES = ['en', 'es', 'fr', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

const knownZones = new Map<string, boolean>();

/** True when the runtime knows the IANA zone (Intl throws a RangeError on unknown zones). Cached: rows repeat zones. */
export function isTimeZone(value: string): boolean {
  let known = knownZones.get(value);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      known = value.length > 0;
    } catch {
      known = false;
    }
    knownZones.set(value, known);
  }
  return known;
}
