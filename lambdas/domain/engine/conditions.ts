import type { CustomerState, SubscriptionTerm, UsagePoint } from '../customer';
import type { IsoDate } from '../dates';
import { daysToTermEnd, termWeek } from '../lifecycleClock';
import { deploymentPct, pointDaysBefore, utilizationPct } from '../metrics';
import type { Condition, Metric } from '../playbook/schema';

/** The metrics a playbook condition can name, worked out once per customer and night. */
export type MetricValues = Record<Exclude<Metric, 'utilizationGapToBaseline'>, number | null>;

export function metricValuesOf(state: CustomerState, history: readonly UsagePoint[]): MetricValues {
  const utilization = utilizationPct(state);
  const before = pointDaysBefore(history, state.snapshotDate);
  const utilizationBefore = before ? utilizationPct(before) : null;
  return {
    deploymentPct: deploymentPct(state),
    utilizationPct: utilization,
    licensesPurchased: state.licensesPurchased,
    licensesAssigned: state.licensesAssigned,
    activeUsers: state.activeUsers,
    unusedSeats: state.activeUsers === null ? null : Math.max(0, state.licensesPurchased - state.activeUsers),
    unassignedSeats: Math.max(0, state.licensesPurchased - state.licensesAssigned),
    termWeek: termWeek(state, state.snapshotDate),
    daysToTermEnd: daysToTermEnd(state, state.snapshotDate),
    utilizationChange30d:
      utilization === null || utilizationBefore === null ? null : utilization - utilizationBefore,
    autoRenew: 0,
  };
}

/** The customer's values with the seats and dates of one subscription term: what renewal and win-back count. */
export function termValuesOf(values: MetricValues, term: SubscriptionTerm, date: IsoDate): MetricValues {
  const utilization = utilizationPct(term);
  return {
    ...values,
    deploymentPct: deploymentPct(term),
    utilizationPct: utilization,
    licensesPurchased: term.licensesPurchased,
    licensesAssigned: term.licensesAssigned,
    activeUsers: term.activeUsers,
    unusedSeats: term.activeUsers === null ? null : Math.max(0, term.licensesPurchased - term.activeUsers),
    unassignedSeats: Math.max(0, term.licensesPurchased - term.licensesAssigned),
    termWeek: termWeek(term, date),
    daysToTermEnd: daysToTermEnd(term, date),
    autoRenew: term.autoRenew ? 1 : 0,
  };
}

/** The utilization 30 days before now: the baseline a usage-drop case compares against. */
export function baselineUtilizationOf(state: CustomerState, history: readonly UsagePoint[]): number | null {
  const before = pointDaysBefore(history, state.snapshotDate);
  return before ? utilizationPct(before) : null;
}

function metricValue(metric: Metric, values: MetricValues, baseline: number | null): number | null {
  if (metric !== 'utilizationGapToBaseline') return values[metric];
  return baseline === null || values.utilizationPct === null ? null : baseline - values.utilizationPct;
}

/** All conditions hold. A metric without a value (no paid seats, no history) makes its condition false. */
export function allHold(
  conditions: readonly Condition[],
  values: MetricValues,
  baseline: number | null = null,
): boolean {
  for (const { metric, op, value } of conditions) {
    const actual = metricValue(metric, values, baseline);
    if (actual === null) return false;
    const holds =
      op === '<'
        ? actual < value
        : op === '<='
          ? actual <= value
          : op === '>'
            ? actual > value
            : op === '>='
              ? actual >= value
              : op === '=='
                ? actual === value
                : actual !== value;
    if (!holds) return false;
  }
  return true;
}
