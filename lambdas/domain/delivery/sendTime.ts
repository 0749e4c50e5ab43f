import type { IsoDate } from '../dates';

// Send times are wall-clock times in the recipient's zone ("09:30 in Berlin"), on business days. EventBridge
// Scheduler takes them as they are (at() with ScheduleExpressionTimezone); the virtual clock and the event log
// need the UTC instant, worked out here with Intl so daylight-saving changes are right.

export type ClockTime = `${number}:${number}`;

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClockTime(value: string): value is ClockTime {
  return CLOCK.test(value);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC, in minutes, at a UTC instant. */
function offsetMinutes(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The UTC instant of a wall-clock time in a zone. A time that does not exist (skipped by a spring-forward) is
 * moved forward by the gap, as clocks do; a time that happens twice (fall-back) is the first of the two.
 */
export function localTimeToUtc(date: IsoDate, time: ClockTime, timeZone: string): Date {
  if (!isClockTime(time)) throw new RangeError(`not a time of day: ${time}`);
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hours, minutes);
  // The offsets in force a day before and a day after cover both sides of any change on this date.
  const before = wall - offsetMinutes(wall - 86_400_000, timeZone) * 60_000;
  const after = wall - offsetMinutes(wall + 86_400_000, timeZone) * 60_000;
  const matches = [before, after].filter((t) => localWall(t, timeZone) === wall);
  // Twice (fall-back): the earlier. Never (spring-forward gap): with the old offset, i.e. later by the gap.
  return new Date(matches.length > 0 ? Math.min(...matches) : before);
}

function localWall(instant: number, timeZone: string): number {
  return instant + offsetMinutes(instant, timeZone) * 60_000;
}

/** `at(yyyy-mm-ddThh:mm:ss)` for EventBridge Scheduler: local wall time, read in the schedule's time zone. */
export function atExpression(date: IsoDate, time: ClockTime): string {
  return `at(${date}T${time}:00)`;
}
