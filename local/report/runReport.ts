import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, type IsoDate } from '../../lambdas/domain/dates';
import { MIN_HOLDOUT_GROUP } from '../../lambdas/domain/engine/holdout';
import { deploymentPct, utilizationPct } from '../../lambdas/domain/metrics';
import { OUTPUT_CUSTOMER_FOLDER } from '../outputFolder';
import type { SimulationSummary } from '../simulation';
import { legend, lines, PALETTE, type Series, stackedBars, type TimelineRow, timeline } from './charts';
import { escapeHtml, page, table } from './html';
import { casesOf, type HoldoutSummary } from './playOutcomes';
import { addTo, mailKey, type RunEvent, type RunMail } from './runEvents';
import type { CustomerFacts, PortfolioNight, RunFacts } from './runFacts';

// The run report: OUT/index.html (figures, weekly charts, the portfolio over the year, the customer list),
// OUT/customers/<customer id>.html (one customer's journey) and OUT/mail.html (every email by day). Static pages
// that open from disk: the only script filters the customer list.

/** The figures of summary.json the report shows at the top (the same numbers); a summary of before holdouts has none. */
export type ReportSummary = Omit<
  SimulationSummary,
  'outcomesByPlay' | 'heldOutByPlay' | 'bounces' | 'complaints' | 'unsubscribes' | 'invocations'
> &
  Partial<Pick<SimulationSummary, 'outcomesByPlay' | 'heldOutByPlay'>>;

export interface ReportInput {
  out: string;
  summary: ReportSummary;
  events: readonly RunEvent[];
  mails: readonly RunMail[];
  facts: RunFacts;
}

/** A customer id as a file name: letters, digits, dot and hyphen kept, anything else spelled as _hex. */
export const customerFileOf = (customerId: string) =>
  `${customerId.replace(/[^A-Za-z0-9.-]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`)}.html`;

export async function writeReport(input: ReportInput): Promise<void> {
  const { out, events, mails, facts } = input;
  const mailOf = new Map(
    mails.filter((m) => m.kind === 'customer').map((m) => [mailKey(m.at, m.customerId, m.template), m.file]),
  );
  const customers = facts.customers();
  const nights = facts.portfolio();
  const dates = events.map((e) => e.at.slice(0, 10));
  const first = nights[0]?.date ?? dates[0] ?? '2026-01-01';
  const last = nights.at(-1)?.date ?? dates.at(-1) ?? first;
  const plays = [...new Set(events.flatMap((e) => ('play' in e ? [e.play] : [])))].sort();
  const colorOf = new Map(plays.map((p, i) => [p, PALETTE[i % PALETTE.length]!]));
  const byCustomer = new Map<string, RunEvent[]>();
  for (const e of events) if ('customerId' in e) addTo(byCustomer, e.customerId, e);

  await mkdir(join(out, OUTPUT_CUSTOMER_FOLDER), { recursive: true });
  await writeFile(
    join(out, 'index.html'),
    indexPage(input.summary, events, customers, nights, byCustomer, plays, colorOf, first, last),
  );
  await writeFile(join(out, 'mail.html'), mailPage(input.summary.days, mails));
  for (const customer of customers) {
    await writeFile(
      join(out, OUTPUT_CUSTOMER_FOLDER, customerFileOf(customer.customerId)),
      customerPage(customer, byCustomer.get(customer.customerId) ?? [], mailOf, colorOf, first, last),
    );
  }
}

/** Monday of the week a date falls in. */
function weekOf(date: IsoDate): IsoDate {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

function weeksBetween(first: IsoDate, last: IsoDate): IsoDate[] {
  const weeks: IsoDate[] = [];
  for (let w = weekOf(first); w <= last; w = addDays(w, 7)) weeks.push(w);
  return weeks;
}

function weekly(
  events: readonly RunEvent[],
  weeks: IsoDate[],
  pick: (e: RunEvent) => string | null,
): Map<string, number[]> {
  const index = new Map(weeks.map((w, i) => [w, i]));
  const counts = new Map<string, number[]>();
  for (const e of events) {
    const key = pick(e);
    if (key === null) continue;
    const i = index.get(weekOf(e.at.slice(0, 10)));
    if (i === undefined) continue;
    const row = counts.get(key) ?? new Array<number>(weeks.length).fill(0);
    row[i]!++;
    counts.set(key, row);
  }
  return counts;
}

const percent = (value: number) => `${Math.round(value * 100)} %`;

function figures(summary: ReportSummary): string {
  const emails = Object.values(summary.emailsByPlay).reduce((a, b) => a + b, 0);
  const heldOut = Object.values(summary.heldOutByPlay ?? {}).reduce((a, b) => a + b, 0);
  const items: [string, string, number][] = [
    ['days', 'nights replayed', summary.days],
    ['customers', 'customers', summary.customers],
    ['ingest.rows', 'snapshot rows ingested', summary.ingest.rows],
    ['ingest.rejected', 'rows rejected', summary.ingest.rejected],
    ['casesOpened', 'cases opened', summary.casesOpened],
    ['resolutions', 'cases resolved', summary.resolutions],
    ['emails', 'customer emails', emails],
    ['tasks', 'owner tasks', summary.tasks],
    ['escalations', 'escalations', summary.escalations],
    ['suppressed', 'emails suppressed', summary.suppressed],
    ...(heldOut > 0 ? [['heldOut', 'emails held out', heldOut] as [string, string, number]] : []),
    ['digests', 'digests', summary.digests],
  ];
  return `<div class="figures">${items
    .map(
      ([key, label, value]) =>
        `<div class="figure" data-summary="${key}"><b>${value}</b><span>${label}</span></div>`,
    )
    .join('')}</div>`;
}

function indexPage(
  summary: ReportSummary,
  events: readonly RunEvent[],
  customers: CustomerFacts[],
  nights: PortfolioNight[],
  byCustomer: Map<string, RunEvent[]>,
  plays: string[],
  colorOf: Map<string, string>,
  first: IsoDate,
  last: IsoDate,
): string {
  const weeks = weeksBetween(first, last);
  const weekLabels = weeks.map((w) => w.slice(5));
  const emailsByPlay = weekly(events, weeks, (e) => (e.kind === 'email' ? e.play : null));
  const emailSeries: Series[] = plays
    .filter((p) => emailsByPlay.has(p))
    .map((p) => ({ name: p, color: colorOf.get(p)!, values: emailsByPlay.get(p)! }));
  const cases = weekly(events, weeks, (e) =>
    e.kind === 'case-opened' ? 'opened' : e.kind === 'case-resolved' ? 'resolved' : null,
  );
  const caseSeries = [
    { name: 'cases opened', color: PALETTE[0]!, values: cases.get('opened') ?? weeks.map(() => 0) },
    { name: 'cases resolved', color: PALETTE[2]!, values: cases.get('resolved') ?? weeks.map(() => 0) },
  ];
  const work = weekly(events, weeks, (e) =>
    e.kind === 'task' ? (e.level === 2 ? 'escalations' : 'owner tasks') : null,
  );
  const workSeries: Series[] = [
    { name: 'owner tasks', color: PALETTE[3]!, values: work.get('owner tasks') ?? weeks.map(() => 0) },
    { name: 'escalations', color: PALETTE[1]!, values: work.get('escalations') ?? weeks.map(() => 0) },
  ];
  const nightLabels = nights.map((n) => n.date.slice(5));
  const utilization = [
    { name: 'average utilization %', color: PALETTE[0]!, values: nights.map((n) => n.averageUtilizationPct) },
  ];
  const counts = [
    { name: 'customers below 60 %', color: PALETTE[1]!, values: nights.map((n) => n.belowSixtyPct) },
    { name: 'growers (+10 points in 30 days)', color: PALETTE[2]!, values: nights.map((n) => n.growers) },
  ];
  const chart = (title: string, svg: string, series: { name: string; color: string }[]) =>
    `<figure data-chart="${escapeHtml(title)}"><figcaption><b>${escapeHtml(title)}</b></figcaption>${svg}${legend(series)}</figure>`;

  const outcomes = summary.outcomesByPlay ?? {};
  const playRows = plays.map((p) => {
    const o = outcomes[p];
    return [
      `<span style="color:${colorOf.get(p)}">■</span> ${escapeHtml(p)}`,
      String(summary.emailsByPlay[p] ?? 0),
      String(summary.heldOutByPlay?.[p] ?? 0),
      String(o?.casesOpened ?? 0),
      String(o?.resolved ?? 0),
      o && o.casesOpened > 0 ? percent(o.resolutionRate) : '–',
      o?.medianDaysToResolution != null ? String(o.medianDaysToResolution) : '–',
    ];
  });

  const owners = [...new Set(customers.map((c) => c.owner))].sort();
  const products = [...new Set(customers.flatMap((c) => c.products))].sort();
  const locales = [...new Set(customers.map((c) => c.locale))].sort();
  const options = (values: string[]) =>
    values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`).join('');
  const customerRows = customers.map((c) => {
    const mine = byCustomer.get(c.customerId) ?? [];
    const playsOf = [...new Set(mine.flatMap((e) => (e.kind === 'case-opened' ? [e.play] : [])))].sort();
    const emails = mine.filter((e) => e.kind === 'email').length;
    const latest = c.nights.at(-1);
    const util = latest ? utilizationPct(toSeats(latest)) : null;
    const attrs = [
      ['name', `${c.name} ${c.customerId}`.toLowerCase()],
      ['owner', c.owner],
      ['product', c.products.join('|')],
      ['locale', c.locale],
      ['play', playsOf.join('|')],
    ]
      .map(([k, v]) => `data-${k}="${escapeHtml(v!)}"`)
      .join(' ');
    return `<tr ${attrs}><td><a href="customers/${escapeHtml(encodeURIComponent(customerFileOf(c.customerId)))}">${escapeHtml(c.name)}</a><br><small>${escapeHtml(c.customerId)}</small></td><td class="wide">${escapeHtml(c.owner)}</td><td class="wide">${escapeHtml(c.products.join(', '))}</td><td>${escapeHtml(c.locale)}</td><td>${escapeHtml(playsOf.join(', '))}</td><td class="n">${emails}</td><td class="n">${util === null ? '–' : `${Math.round(util)} %`}</td></tr>`;
  });

  const body = `<h1>Local run: ${summary.days} nights</h1>
<p class="muted">${first} to ${last} · <a href="summary.json">summary.json</a> · <a href="events.jsonl">events.jsonl</a> · <a href="mail.html">every email by day</a></p>
${figures(summary)}
<h2>Week by week</h2>
<div class="charts">
${chart('Emails per week by play', stackedBars('Emails per week by play', weekLabels, emailSeries), emailSeries)}
${chart('Cases opened and resolved per week', lines('Cases opened and resolved per week', weekLabels, caseSeries), caseSeries)}
${chart('Tasks and escalations per week', stackedBars('Tasks and escalations per week', weekLabels, workSeries), workSeries)}
</div>
<h2>The portfolio over the run</h2>
<div class="charts">
${chart('Average utilization', lines('Average utilization', nightLabels, utilization, { max: 100 }), utilization)}
${chart('Customers below 60 % and growers', lines('Customers below 60 % and growers', nightLabels, counts), counts)}
</div>
<h2>Plays</h2>
${table(['play', 'emails', 'held out', 'cases opened', 'resolved', 'resolution rate', 'median days to resolve'], playRows, [false, true, true, true, true, true, true])}
${holdoutSection(summary.holdouts ?? [], colorOf)}
<h2>Customers</h2>
<div class="filters">
<input id="search" type="search" placeholder="Search by name or id" aria-label="Search customers by name">
<select data-filter="owner" aria-label="Owner"><option value="">every owner</option>${options(owners)}</select>
<select data-filter="product" aria-label="Product"><option value="">every product</option>${options(products)}</select>
<select data-filter="locale" aria-label="Locale"><option value="">every locale</option>${options(locales)}</select>
<select data-filter="play" aria-label="Play"><option value="">every play</option>${options(plays)}</select>
</div>
<p class="muted"><span id="shown">${customers.length}</span> of ${customers.length} customers</p>
<div class="scroll"><table id="customers"><thead><tr><th>customer</th><th class="wide">owner</th><th class="wide">products</th><th>locale</th><th>plays</th><th class="n">emails</th><th class="n">utilization</th></tr></thead><tbody>
${customerRows.join('\n')}
</tbody></table></div>`;
  return page(`Local run: ${summary.days} nights`, body, FILTER_SCRIPT);
}

const days = (d: number | null) => (d === null ? '–' : String(d));

/** Emailed against held-out customers, per play with a holdout; plain words when the groups are too small. */
function holdoutSection(holdouts: readonly HoldoutSummary[], colorOf: Map<string, string>): string {
  if (holdouts.length === 0) return '';
  const rows = holdouts.flatMap((h) =>
    (
      [
        ['emailed', h.emailed],
        [`held out (${h.holdoutPercent} %)`, h.heldOut],
      ] as const
    ).map(([group, g]) => [
      `<span style="color:${colorOf.get(h.play) ?? PALETTE[8]}">■</span> ${escapeHtml(h.play)}`,
      escapeHtml(group),
      String(g.cases),
      String(g.resolved),
      g.cases > 0 ? percent(g.resolutionRate) : '–',
      days(g.medianDaysToResolution),
    ]),
  );
  const verdicts = holdouts.map((h) => {
    if (!h.enoughCases)
      return `<li data-holdout="${escapeHtml(h.play)}"><b>${escapeHtml(h.play)}</b>: too few cases to tell yet (${h.emailed.cases} emailed, ${h.heldOut.cases} held out; at least ${MIN_HOLDOUT_GROUP} in each group are needed).</li>`;
    const points = Math.round((h.emailed.resolutionRate - h.heldOut.resolutionRate) * 100);
    return `<li data-holdout="${escapeHtml(h.play)}"><b>${escapeHtml(h.play)}</b>: emailed customers' cases resolved ${Math.abs(points)} points ${points >= 0 ? 'more' : 'less'} often than held-out customers' (median ${days(h.emailed.medianDaysToResolution)} against ${days(h.heldOut.medianDaysToResolution)} days).</li>`;
  });
  return `<h2>Holdout groups: do the emails help?</h2>
<p class="muted">Held-out customers get the play's tasks but none of its emails. A difference is worth reading only with at least ${MIN_HOLDOUT_GROUP} cases in each group.</p>
${table(['play', 'group', 'cases', 'resolved', 'resolution rate', 'median days to resolve'], rows, [false, false, true, true, true, true])}
<ul class="note">${verdicts.join('')}</ul>`;
}

const toSeats = (n: { purchased: number; assigned: number; active: number | null }) => ({
  licensesPurchased: n.purchased,
  licensesAssigned: n.assigned,
  activeUsers: n.active,
});

const FILTER_SCRIPT = `
const search = document.getElementById('search');
const selects = [...document.querySelectorAll('select[data-filter]')];
const rows = [...document.querySelectorAll('#customers tbody tr')];
function apply() {
  const text = search.value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows) {
    const ok = (!text || row.dataset.name.includes(text)) &&
      selects.every((s) => !s.value || row.dataset[s.dataset.filter].split('|').includes(s.value));
    row.hidden = !ok;
    if (ok) shown++;
  }
  document.getElementById('shown').textContent = shown;
}
search.addEventListener('input', apply);
for (const s of selects) s.addEventListener('change', apply);
`;

function describe(e: RunEvent): { what: string; detail: string } {
  switch (e.kind) {
    case 'case-opened':
      return { what: 'case opened', detail: e.play };
    case 'case-resolved':
      return { what: 'resolved', detail: e.play };
    case 'email':
      return { what: 'email', detail: `${e.play}: ${e.template}${e.variant ? ` (${e.variant})` : ''}` };
    case 'task':
      return {
        what: e.level === 2 ? 'escalation' : 'task',
        detail: `${e.play}: ${e.task ?? 'to the team lead'} → ${e.to}`,
      };
    case 'suppressed':
      return { what: 'suppressed', detail: `${e.play}: ${e.template} (${e.reason})` };
    case 'held-out':
      return { what: 'held out', detail: `${e.play}: ${e.template} not sent (holdout group)` };
    default: {
      const other = e as RunEvent & { play?: string; template?: string; by?: string };
      return {
        what: other.kind,
        detail: [other.play, other.template, other.by].filter(Boolean).join(' · '),
      };
    }
  }
}

function customerPage(
  customer: CustomerFacts,
  events: readonly RunEvent[],
  mailOf: Map<string, string>,
  colorOf: Map<string, string>,
  first: IsoDate,
  last: IsoDate,
): string {
  const end = addDays(last, 1);
  const termRows: TimelineRow[] = customer.products.map((product) => ({
    label: product,
    bars: customer.terms
      .filter((t) => t.product === product)
      .map((t) => ({
        from: t.termStart,
        to: t.termEnd ?? end,
        color: '#94a3b8',
        title: `${product}: ${t.termStart} to ${t.termEnd ?? 'monthly'}`,
      })),
  }));
  const caseRows: TimelineRow[] = casesOf(events).map((c) => {
    const color = colorOf.get(c.play) ?? PALETTE[8]!;
    const mine = events.filter((e) => 'caseId' in e && e.caseId === c.caseId);
    return {
      label: c.play,
      bars: [
        {
          from: c.openedOn,
          to: c.resolvedOn ?? end,
          color,
          title: `${c.play}: opened ${c.openedOn}${c.resolvedOn ? `, resolved ${c.resolvedOn}` : ', not resolved in the run'}`,
        },
      ],
      marks: mine.flatMap(
        (e): NonNullable<TimelineRow['marks']> =>
          e.kind === 'email'
            ? [
                {
                  on: e.at,
                  color: '#1f2933',
                  title: `email ${e.template} ${e.at.slice(0, 10)}`,
                  shape: 'dot' as const,
                },
              ]
            : e.kind === 'task'
              ? [
                  {
                    on: e.at,
                    color: e.level === 2 ? '#dc2626' : '#d97706',
                    title: `${e.level === 2 ? 'escalation' : `task ${e.task}`} ${e.at.slice(0, 10)}`,
                    shape: 'square' as const,
                  },
                ]
              : [],
      ),
    };
  });
  const labels = customer.nights.map((n) => n.date.slice(5));
  const usage = [
    {
      name: 'utilization %',
      color: PALETTE[0]!,
      values: customer.nights.map((n) => utilizationPct(toSeats(n))),
    },
    {
      name: 'deployment %',
      color: PALETTE[2]!,
      values: customer.nights.map((n) => deploymentPct(toSeats(n))),
    },
  ];
  const rows = events.map((e) => {
    const { what, detail } = describe(e);
    const file = e.kind === 'email' ? mailOf.get(mailKey(e.at, e.customerId, e.template)) : undefined;
    return [
      `${e.at.slice(0, 10)} <small>${e.at.slice(11, 16)} UTC</small>`,
      escapeHtml(what),
      file ? `<a class="email" href="../${escapeHtml(file)}">${escapeHtml(detail)}</a>` : escapeHtml(detail),
    ];
  });
  const latest = customer.nights.at(-1);
  const body = `<p><a href="../index.html">← all customers</a></p>
<h1>${escapeHtml(customer.name)}</h1>
<p class="muted">${escapeHtml(customer.customerId)} · owner ${escapeHtml(customer.owner)} · ${escapeHtml(customer.locale)} · ${escapeHtml(customer.products.join(', '))}${latest ? ` · ${latest.active ?? '–'} active of ${latest.purchased} seats on ${latest.date}` : ''}</p>
<h2>Terms and cases</h2>
<figure data-chart="journey">${timeline('Terms and cases', first, end, [...termRows, ...caseRows])}
<p class="legend"><span><i style="background:#94a3b8"></i>term</span><span><i style="background:#1f2933;border-radius:50%"></i>email</span><span><i style="background:#d97706"></i>task</span><span><i style="background:#dc2626"></i>escalation</span></p></figure>
<h2>Utilization and deployment</h2>
<figure data-chart="usage">${lines('Utilization and deployment', labels, usage, { max: 100 })}${legend(usage)}</figure>
<h2>Everything that happened (${events.length})</h2>
${table(['when', 'what', 'detail'], rows)}`;
  return page(`${customer.name}: journey`, body);
}

function mailPage(days: number, mails: readonly RunMail[]): string {
  const byDay = new Map<string, RunMail[]>();
  for (const m of mails) addTo(byDay, m.day, m);
  const list = [...byDay.entries()]
    .map(
      ([day, list]) =>
        `<details><summary>${day} · ${list.length} emails</summary><ul>${list
          .map(
            (m) =>
              `<li>${m.kind === 'digest' ? '📋' : '✉️'} <a href="${escapeHtml(m.file)}">${escapeHtml(m.subject)}</a> <small>to ${escapeHtml(m.to)} at ${m.at.slice(11, 16)} UTC</small></li>`,
          )
          .join('')}</ul></details>`,
    )
    .join('\n');
  return page(
    `Local run: ${days} nights, every email`,
    `<p><a href="index.html">← report</a></p><h1>Every email and digest, by day</h1><p class="muted">${mails.length} in all</p>\n${list}`,
  );
}
