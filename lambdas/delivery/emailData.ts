import { type CustomerState, lineKeyOf, type ProductLine, type UsagePoint } from '../domain/customer';
import { daysBetween, type IsoDate } from '../domain/dates';
import type { Case } from '../domain/engine/cases';
import { pointDaysBefore, utilizationPct } from '../domain/metrics';
import type { CustomerEmailData, ProductSeats } from '../rendering/model';

/**
 * The lines a case speaks of: a renewal or win-back case those of its subscription term (still on that term,
 * else recognised by subscription or product when they have left it); any other case the lines whose term has
 * not ended (the adoption lines), or the latest term's when all have.
 */
export function linesOfCase(
  state: CustomerState,
  c: Pick<Case, 'termEnd' | 'lineKeys'> | undefined,
): ProductLine[] {
  if (c?.lineKeys) {
    const keys = new Set(c.lineKeys);
    const ofTerm = state.lines.filter((l) => keys.has(lineKeyOf(l)));
    const onTerm = ofTerm.filter((l) => l.termEnd === c.termEnd);
    return onTerm.length > 0 ? onTerm : ofTerm;
  }
  const running = state.lines.filter((l) => l.termEnd === null || l.termEnd >= state.snapshotDate);
  return running.length > 0 ? running : state.lines.filter((l) => l.termEnd === state.termEnd);
}

/** A line as customers and owners read it: the product's name where the export has one, else its code. */
export function productSeatsOf(line: ProductLine): ProductSeats {
  return {
    name: line.productName ?? line.product,
    purchased: line.licensesPurchased,
    assigned: line.licensesAssigned,
    active: line.activeUsers,
  };
}

/**
 * The facts a customer email states, from the customer's latest state: the lines of the case's term (renewal,
 * win-back) or the customer's running lines. A utilization is stated only where the export gives active users.
 */
export function emailDataOf(
  state: CustomerState,
  history: readonly UsagePoint[],
  today: IsoDate,
  unsubscribeUrl: string,
  c?: Pick<Case, 'termEnd' | 'lineKeys'>,
): CustomerEmailData {
  const lines = linesOfCase(state, c);
  const before = pointDaysBefore(history, state.snapshotDate);
  const seats = {
    licensesPurchased: lines.reduce((n, l) => n + l.licensesPurchased, 0),
    licensesAssigned: lines.reduce((n, l) => n + l.licensesAssigned, 0),
    activeUsers: lines.some((l) => l.activeUsers === null)
      ? null
      : lines.reduce((n, l) => n + (l.activeUsers ?? 0), 0),
  };
  const termEnd = c?.lineKeys ? c.termEnd : state.termEnd;
  return {
    customerName: state.customerName,
    adminName: state.adminName ?? null,
    products: lines.map(productSeatsOf),
    seatsPurchased: seats.licensesPurchased,
    seatsAssigned: seats.licensesAssigned,
    activeUsers: seats.activeUsers,
    utilizationPct: utilizationPct(seats),
    utilizationBeforePct: before && seats.activeUsers !== null ? utilizationPct(before) : null,
    termEnd,
    daysToTermEnd: termEnd === null ? null : Math.max(0, daysBetween(today, termEnd)),
    unsubscribeUrl,
  };
}
