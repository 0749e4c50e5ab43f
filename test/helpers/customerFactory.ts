import { normalizeAddress } from '../../lambdas/domain/address';
import { type CustomerState, type UsagePoint, usagePointOf } from '../../lambdas/domain/customer';
import { addDays, type IsoDate } from '../../lambdas/domain/dates';
import type { CustomerRecord } from '../../lambdas/domain/engine/cases';

/** A customer on a one-year term that started `termDay` days before `date`, with sensible seat numbers. */
export function customerState(
  overrides: Partial<CustomerState> & { date?: IsoDate; termDay?: number } = {},
): CustomerState {
  const { date = '2026-03-02', termDay = 0, ...rest } = overrides;
  const termStart = rest.termStart ?? addDays(date, -termDay);
  const termEnd = rest.termEnd ?? addDays(termStart, 365);
  const state: CustomerState = {
    customerId: 'C-1',
    customerName: 'Nordstone Design GmbH',
    adminEmail: 'lena.wagner@nordstone.example',
    adminName: 'Lena Wagner',
    ownerEmail: 'dana.owner@reseller.example',
    locale: 'de',
    timezone: 'Europe/Berlin',
    snapshotDate: date,
    termStart,
    termEnd,
    licensesPurchased: 20,
    licensesAssigned: 20,
    activeUsers: 16,
    lines: [],
    ...rest,
    adminAddress: rest.adminAddress ?? normalizeAddress(rest.adminEmail ?? 'lena.wagner@nordstone.example'),
  };
  if (state.lines.length === 0) {
    state.lines = [
      {
        product: 'Creative Cloud All Apps',
        licensesPurchased: state.licensesPurchased,
        licensesAssigned: state.licensesAssigned,
        activeUsers: state.activeUsers,
        termStart: state.termStart,
        termEnd: state.termEnd,
      },
    ];
  }
  return state;
}

export function usagePoint(state: CustomerState, overrides: Partial<UsagePoint> = {}): UsagePoint {
  return { ...usagePointOf(state), ...overrides };
}

export function customerRecord(
  state: CustomerState,
  options: { firstSeen?: IsoDate; history?: UsagePoint[] } = {},
): CustomerRecord {
  return { state, history: options.history ?? [], firstSeen: options.firstSeen ?? state.termStart };
}
