import type { CustomerState, UsagePoint } from '../domain/customer';
import { daysBetween, type IsoDate } from '../domain/dates';
import { pointDaysBefore, utilizationPct } from '../domain/metrics';
import type { CustomerEmailData } from '../rendering/model';

/** The facts a customer email states, from the customer's latest state (lines of the current term). */
export function emailDataOf(
  state: CustomerState,
  history: readonly UsagePoint[],
  today: IsoDate,
  unsubscribeUrl: string,
): CustomerEmailData {
  const before = pointDaysBefore(history, state.snapshotDate);
  return {
    customerName: state.customerName,
    adminName: state.adminName ?? null,
    products: state.lines
      .filter((l) => l.termEnd === state.termEnd)
      .map((l) => ({
        name: l.product,
        purchased: l.licensesPurchased,
        assigned: l.licensesAssigned,
        active: l.activeUsers,
      })),
    seatsPurchased: state.licensesPurchased,
    seatsAssigned: state.licensesAssigned,
    activeUsers: state.activeUsers,
    utilizationPct: utilizationPct(state),
    utilizationBeforePct: before ? utilizationPct(before) : null,
    termEnd: state.termEnd,
    daysToTermEnd: Math.max(0, daysBetween(today, state.termEnd)),
    unsubscribeUrl,
  };
}
