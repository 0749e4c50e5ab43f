import type { IsoDate } from '../../lambdas/domain/dates';
import type { CustomerRecord } from '../../lambdas/domain/engine/cases';
import { portfolioKpis } from '../../lambdas/domain/metrics';
import type { LoadOptions, PortfolioSnapshot, PortfolioStore } from '../../lambdas/ports/portfolioStore';

// What the report needs of the portfolio night by night (seat counts, terms, the KPIs), taken from the reads the
// nightly evaluation makes anyway: no extra request to the database, a few small objects per customer a night.

/** One customer on one night, as the export showed it (seat sums over the current term). */
export interface CustomerNight {
  date: IsoDate;
  purchased: number;
  assigned: number;
  /** Null when the export does not say how many users are active. */
  active: number | null;
}

/** One product line's term. */
export interface ProductTerm {
  product: string;
  termStart: IsoDate;
  /** Null for a monthly (rolling) line. */
  termEnd: IsoDate | null;
}

export interface CustomerFacts {
  customerId: string;
  name: string;
  owner: string;
  locale: string;
  products: string[];
  terms: ProductTerm[];
  nights: CustomerNight[];
}

/** The portfolio KPIs of one night, over the customers in that night's export. */
export interface PortfolioNight {
  date: IsoDate;
  customers: number;
  averageUtilizationPct: number;
  belowSixtyPct: number;
  growers: number;
}

interface KpiSums {
  customers: number;
  utilizationSum: number;
  below: number;
  growers: number;
}

export class RunFacts {
  private readonly byCustomer = new Map<string, CustomerFacts & { termKeys: Set<string> }>();
  private readonly kpiSums = new Map<IsoDate, KpiSums>();

  /** The store as the evaluation sees it, noting what each of its portfolio reads returns. */
  watching(store: PortfolioStore): PortfolioStore {
    return {
      load: async (options?: LoadOptions) => {
        const snapshot = await store.load(options);
        if (options?.history !== false) this.observe(snapshot);
        return snapshot;
      },
      saveCases: (cases) => store.saveCases(cases),
      getCase: (customerId, caseId) => store.getCase(customerId, caseId),
      getCustomer: (customerId) => store.getCustomer(customerId),
      portfolioDate: () => store.portfolioDate(),
      stepContext: (customerId, caseId) => store.stepContext(customerId, caseId),
      customerCount: () => store.customerCount(),
      markStepDone: (customerId, caseId, index) => store.markStepDone(customerId, caseId, index),
      rescheduleStep: (customerId, caseId, index, dueOn) =>
        store.rescheduleStep(customerId, caseId, index, dueOn),
      markStepCancelled: (customerId, caseId, index) => store.markStepCancelled(customerId, caseId, index),
    };
  }

  /** One read of the portfolio (the whole of it, or one shard of a split night). */
  observe(snapshot: PortfolioSnapshot): void {
    const date = snapshot.portfolioDate;
    if (!date) return;
    const present: CustomerRecord[] = snapshot.customers.filter((c) => c.state.snapshotDate === date);
    for (const { state } of present) {
      let facts = this.byCustomer.get(state.customerId);
      if (!facts) {
        facts = {
          customerId: state.customerId,
          name: state.customerName,
          owner: state.ownerEmail,
          locale: state.locale,
          products: [],
          terms: [],
          nights: [],
          termKeys: new Set(),
        };
        this.byCustomer.set(state.customerId, facts);
      }
      Object.assign(facts, { name: state.customerName, owner: state.ownerEmail, locale: state.locale });
      // A night read twice (a retried shard) is kept once.
      if (facts.nights.at(-1)?.date !== date)
        facts.nights.push({
          date,
          purchased: state.licensesPurchased,
          assigned: state.licensesAssigned,
          active: state.activeUsers,
        });
      for (const line of state.lines) {
        const key = `${line.product}|${line.termStart}|${line.termEnd}`;
        if (facts.termKeys.has(key)) continue;
        facts.termKeys.add(key);
        facts.terms.push({ product: line.product, termStart: line.termStart, termEnd: line.termEnd });
        if (!facts.products.includes(line.product)) facts.products.push(line.product);
      }
    }
    const kpis = portfolioKpis(present);
    const sums = this.kpiSums.get(date) ?? { customers: 0, utilizationSum: 0, below: 0, growers: 0 };
    sums.customers += kpis.customers;
    sums.utilizationSum += kpis.averageUtilizationPct.value * kpis.customers;
    sums.below += kpis.belowSixtyPct.value;
    sums.growers += kpis.risingCustomers;
    this.kpiSums.set(date, sums);
  }

  customers(): CustomerFacts[] {
    return [...this.byCustomer.values()]
      .map(({ termKeys: _, ...facts }) => ({
        ...facts,
        products: [...facts.products].sort(),
        terms: [...facts.terms].sort((a, b) =>
          a.product === b.product ? (a.termStart < b.termStart ? -1 : 1) : a.product < b.product ? -1 : 1,
        ),
      }))
      .sort((a, b) =>
        a.name === b.name ? (a.customerId < b.customerId ? -1 : 1) : a.name < b.name ? -1 : 1,
      );
  }

  portfolio(): PortfolioNight[] {
    return [...this.kpiSums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, s]) => ({
        date,
        customers: s.customers,
        averageUtilizationPct: s.customers > 0 ? s.utilizationSum / s.customers : 0,
        belowSixtyPct: s.below,
        growers: s.growers,
      }));
  }
}
