import type { CustomerState, UsagePoint } from './customer';
import { addDays, type IsoDate } from './dates';

type Seats = Pick<UsagePoint, 'licensesPurchased' | 'licensesAssigned' | 'activeUsers'>;

/** Share of paid seats that are assigned. Null when nothing is paid for: no ratio to speak of. */
export function deploymentPct(seats: Seats): number | null {
  return seats.licensesPurchased > 0 ? (seats.licensesAssigned / seats.licensesPurchased) * 100 : null;
}

/**
 * 28-day active users over paid seats. Above 100 % happens (transfers, overlapping terms) and is kept. Null
 * when nothing is paid for or the export does not say how many users are active: no utilization to state.
 */
export function utilizationPct(seats: Seats): number | null {
  return seats.licensesPurchased > 0 && seats.activeUsers !== null
    ? (seats.activeUsers / seats.licensesPurchased) * 100
    : null;
}

/** How far back a trend looks, and how stale the comparison point may be before we say "no trend". */
export const TREND_DAYS = 30;
export const TREND_TOLERANCE_DAYS = 15;

/**
 * The history point a 30-day trend compares against: the latest one at or before 30 days ago, if it is not
 * much older than that (exports skip days; a point from half a year ago says nothing about the last month).
 */
const bounds = { date: '', days: 0, target: '', oldest: '' };

export function pointDaysBefore(
  history: readonly UsagePoint[],
  date: IsoDate,
  days = TREND_DAYS,
): UsagePoint | null {
  // Asked for every customer each night, nearly always for the same date: the two bounds are worked out once.
  if (bounds.date !== date || bounds.days !== days) {
    bounds.target = addDays(date, -days);
    bounds.oldest = addDays(bounds.target, -TREND_TOLERANCE_DAYS);
    bounds.date = date;
    bounds.days = days;
  }
  const { target, oldest } = bounds;
  // History is in date order: find the last point on or before the target by halving.
  let low = 0;
  let high = history.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (history[middle]!.snapshotDate <= target) low = middle + 1;
    else high = middle;
  }
  const point = history[low - 1];
  return point && point.snapshotDate >= oldest ? point : null;
}

/** Utilization now minus 30 days earlier, in percentage points; null without a comparable point. */
export function utilizationChange30d(state: CustomerState, history: readonly UsagePoint[]): number | null {
  const now = utilizationPct(state);
  const before = pointDaysBefore(history, state.snapshotDate);
  const then = before ? utilizationPct(before) : null;
  return now === null || then === null ? null : now - then;
}

export interface Kpi {
  value: number;
  target: number;
  /** 'max': the value should stay at or below the target; 'min': above it. */
  direction: 'max' | 'min';
  met: boolean;
}

export interface PortfolioKpis {
  customers: number;
  /** Customers below 60 % utilization; target: at most 10. */
  belowSixtyPct: Kpi;
  /** Average utilization over customers with paid seats; target: above 70 %. */
  averageUtilizationPct: Kpi;
  /** Customers whose utilization rose more than 10 points in the last 30 days. */
  risingCustomers: number;
}

export const KPI_TARGETS = { belowSixtyPctMax: 10, averageUtilizationMin: 70 } as const;

export function portfolioKpis(
  customers: readonly { state: CustomerState; history: readonly UsagePoint[] }[],
): PortfolioKpis {
  let below = 0;
  let sum = 0;
  let counted = 0;
  let rising = 0;
  for (const { state, history } of customers) {
    const utilization = utilizationPct(state);
    if (utilization === null) continue;
    counted++;
    sum += utilization;
    if (utilization < 60) below++;
    const change = utilizationChange30d(state, history);
    if (change !== null && change > 10) rising++;
  }
  const average = counted > 0 ? sum / counted : 0;
  return {
    customers: counted,
    belowSixtyPct: {
      value: below,
      target: KPI_TARGETS.belowSixtyPctMax,
      direction: 'max',
      met: below <= KPI_TARGETS.belowSixtyPctMax,
    },
    averageUtilizationPct: {
      value: average,
      target: KPI_TARGETS.averageUtilizationMin,
      direction: 'min',
      met: average > KPI_TARGETS.averageUtilizationMin,
    },
    risingCustomers: rising,
  };
}
