import type { IsoDate } from '../domain/dates';
import type { Locale } from '../domain/locales';

const formats = new Map<Locale, LocaleFormat>();

/** One LocaleFormat per language for the life of the container: building Intl formatters costs more than a render. */
export function localeFormat(locale: Locale): LocaleFormat {
  let format = formats.get(locale);
  if (!format) {
    format = new LocaleFormat(locale);
    formats.set(locale, format);
  }
  return format;
}

/** Numbers, percentages and dates as a reader in that language expects them. */
export class LocaleFormat {
  private readonly integer: Intl.NumberFormat;
  private readonly percentage: Intl.NumberFormat;
  private readonly longDate: Intl.DateTimeFormat;

  constructor(readonly locale: Locale) {
    this.integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.percentage = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    this.longDate = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  }

  /** Null (a figure the export does not give) -> an en dash. */
  count(value: number | null): string {
    return value === null ? '–' : this.integer.format(value);
  }

  /** 73.4 -> "73 %" (fr), "73%" (en). Null (no paid seats) -> an en dash. */
  percent(value: number | null): string {
    return value === null || !Number.isFinite(value) ? '–' : this.percentage.format(value / 100);
  }

  /** Null (no such date, e.g. no renewal date of a monthly line) -> an en dash. */
  date(value: IsoDate | null): string {
    if (value === null) return '–';
    return this.longDate.format(new Date(`${value}T00:00:00Z`));
  }
}

/** A subject line can never carry a header: line breaks and control characters become spaces. */
export function safeSubject(subject: string): string {
  let clean = '';
  for (const ch of subject) {
    const code = ch.codePointAt(0)!;
    clean += code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 ? ' ' : ch;
  }
  return clean.replace(/ {2,}/g, ' ').trim().slice(0, 200);
}
