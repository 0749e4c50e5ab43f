// What a night of the engine asks of delivery, counted from the cases it opened: the figures the scale model scales.
import {
  addDays,
  daysBetween,
  type IsoDate,
  isBusinessDay,
  onOrAfterBusinessDay,
} from '../lambdas/domain/dates';
import { type ClockTime, localTimeToUtc } from '../lambdas/domain/delivery/sendTime';
import type { Case } from '../lambdas/domain/engine/cases';
import type { NightMeasure } from './scaleModel';

/** Business days from `from` (a business day) to `to`, counting `to` as the next business day if it is not one. */
export function businessDaysFrom(from: IsoDate, to: IsoDate): number {
  const end = onOrAfterBusinessDay(to);
  let days = 0;
  for (let offset = 0; offset < daysBetween(from, end); offset++)
    if (isBusinessDay(addDays(from, offset))) days++;
  return days;
}

/** The steps that will make a schedule: everything still scheduled in the cases the night opened. */
const scheduledSteps = (opened: readonly Case[]) =>
  opened.flatMap((c) => c.steps.filter((step) => step.status === 'scheduled').map((step) => ({ c, step })));

/**
 * One night's load per customer: its schedules, and its customer emails by send day counted in business days from
 * the first business day on or after the night.
 */
export function nightMeasureOf(opened: readonly Case[], customers: number, night: IsoDate): NightMeasure {
  const steps = scheduledSteps(opened);
  const firstSendDay = onOrAfterBusinessDay(night);
  const byDay: number[] = [];
  for (const { step } of steps) {
    if (step.kind !== 'email') continue;
    const day = businessDaysFrom(firstSendDay, step.dueOn < firstSendDay ? firstSendDay : step.dueOn);
    byDay[day] = (byDay[day] ?? 0) + 1;
  }
  return {
    schedulesPerCustomer: steps.length / customers,
    emailsPerCustomerByDay: Array.from(byDay, (n) => (n ?? 0) / customers),
  };
}

/**
 * The busiest send day's largest 09:30 burst as a share of that day's emails: zones whose 09:30 is the same instant
 * (Paris, Berlin, Madrid and Vienna) send together.
 */
export function largestBurstShare(
  opened: readonly Case[],
  timezoneOf: (customerId: string) => string,
  sendTime: ClockTime = '09:30',
): { share: number; zones: string[] } {
  const byDay = new Map<IsoDate, Map<number, { count: number; zones: Set<string> }>>();
  for (const { c, step } of scheduledSteps(opened)) {
    if (step.kind !== 'email') continue;
    const zone = timezoneOf(c.customerId);
    const instant = localTimeToUtc(step.dueOn, sendTime, zone).getTime();
    const day = byDay.get(step.dueOn) ?? byDay.set(step.dueOn, new Map()).get(step.dueOn)!;
    const burst = day.get(instant) ?? day.set(instant, { count: 0, zones: new Set() }).get(instant)!;
    burst.count++;
    burst.zones.add(zone);
  }
  let busiest: Map<number, { count: number; zones: Set<string> }> | undefined;
  let busiestTotal = 0;
  for (const day of byDay.values()) {
    const total = [...day.values()].reduce((n, b) => n + b.count, 0);
    if (total > busiestTotal) [busiest, busiestTotal] = [day, total];
  }
  if (!busiest) return { share: 1, zones: [] };
  const largest = [...busiest.values()].reduce((a, b) => (b.count > a.count ? b : a));
  return { share: largest.count / busiestTotal, zones: [...largest.zones].sort() };
}
