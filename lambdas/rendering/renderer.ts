import Handlebars from 'handlebars/runtime';
import type { OwnerAction } from '../domain/delivery/actionToken';
import { type GroupResult, MIN_HOLDOUT_GROUP } from '../domain/engine/holdout';
import type { Locale } from '../domain/locales';
import type { EmailTemplate } from '../domain/playbook/schema';
import {
  CATALOGS,
  type CallScript,
  type Catalog,
  DIGEST_WORDS,
  type DigestWord,
  type EmailCopy,
} from './catalog';
import { EMAIL_SPECS, linkOf } from './emailSpecs';
import { type LocaleFormat, localeFormat, safeSubject } from './format';
import {
  type Brand,
  type CustomerEmailData,
  type DigestRequest,
  type DigestTask,
  type EmailRequest,
  type RenderedEmail,
  TemplateRenderError,
} from './model';

/**
 * The output of scripts/buildTemplates.ts: each distinct layout once, MJML compiled to HTML and then to a strict
 * handlebars template function, and every email and digest by the index of its layout.
 */
export interface CompiledTemplates {
  layouts: TemplateSpecification[];
  emails: Record<string, number>;
  digests: Record<string, number>;
}

// One runtime for every layout (the build compiled them strict: a missing variable throws instead of printing
// nothing). Escaping: every value is HTML-escaped; only copy that this renderer already escaped goes in with {{{ }}}.
const engine = Handlebars.create();
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
/**
 * Copy split once into its text and the names it fills, [text, name, text, …, text], and checked to hold only
 * `{{name}}` placeholders: the catalogs do not change while a container lives, so each string is parsed once.
 */
const parsedCopy = new Map<string, string[]>();

function copyParts(text: string): string[] {
  let parts = parsedCopy.get(text);
  if (!parts) {
    if (text.replace(PLACEHOLDER, '').includes('{{'))
      throw new Error(`copy supports only {{name}} placeholders: "${text}"`);
    parts = text.split(PLACEHOLDER);
    parsedCopy.set(text, parts);
  }
  return parts;
}

/**
 * Fills copy's `{{name}}` placeholders, escaped as handlebars escapes them unless `plain`. The build checks that
 * our copy holds nothing else; copy with anything else is refused here rather than sent half filled.
 */
function fillCopy(text: string, values: Record<string, string>, plain: boolean): string {
  return fillWith(text, (name) => {
    if (!(name in values)) throw new Error(`"${name}" not defined in the copy values`);
    const value = values[name] ?? '';
    return plain ? value : engine.Utils.escapeExpression(value);
  });
}

/** Fills copy's placeholders with what `valueNamed` gives for each name. */
function fillWith(text: string, valueNamed: (name: string) => string): string {
  // Most copy names no value: nothing to fill.
  if (!text.includes('{{')) return text;
  const parts = copyParts(text);
  let filled = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) filled += valueNamed(parts[i]!) + parts[i + 1]!;
  return filled;
}

function checkUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} is not a valid address`);
  }
  if (parsed.protocol !== 'https:') throw new Error(`${what} must be an https:// address`);
  return parsed.toString();
}

/** The brand's links, checked once each: a container sends for one brand. */
const checkedLinks = new Map<string, string>();

function brandLink(brand: Brand, link: Parameters<typeof linkOf>[1]): string {
  const url = linkOf(brand, link);
  let checked = checkedLinks.get(url);
  if (checked === undefined) {
    checked = checkUrl(url, `the ${link} link`);
    checkedLinks.set(url, checked);
  }
  return checked;
}

type Compiled = (context: unknown) => string;

const PER_ITEM_WORDS = new Set<DigestWord>([
  'renewsOn',
  'resolvedBy',
  'rejectedRows',
  'holdoutGroup',
  'holdoutTooSmall',
  'holdoutDifference',
  'pausedUntil',
  'waitingForQuota',
]);

/** The word of each action link. */
const ACTION_WORDS: Record<OwnerAction, DigestWord> = {
  done: 'actionDone',
  snooze: 'actionSnooze',
  pause: 'actionPause',
  'wont-renew': 'actionWontRenew',
  resume: 'actionResume',
};

export class EmailRenderer {
  private readonly html = new Map<TemplateSpecification, Compiled>();

  constructor(
    private readonly compiled: CompiledTemplates,
    private readonly catalogs: Record<Locale, Catalog> = CATALOGS,
  ) {}

  renderEmail(request: EmailRequest): RenderedEmail {
    const { template, variant, locale, data, brand } = request;
    try {
      const spec = EMAIL_SPECS[template];
      if (!spec) throw new Error('unknown template');
      const layout = this.compiled.emails[template];
      const source = layout === undefined ? undefined : this.compiled.layouts[layout];
      if (!source) throw new Error('template not compiled (run npm run build:templates)');
      const format = localeFormat(locale);
      const catalog = this.catalogs[locale];
      const words = emailWords(catalog.emails[template], variant, template);
      const values = copyValues(data, brand, format);
      const { escaped, plain } = fillWords(words, values, catalog.common);
      const unsubscribeUrl = checkUrl(data.unsubscribeUrl, 'the unsubscribe link');
      const ctaUrl = brandLink(brand, spec.cta);
      const secondaryUrl = spec.secondary ? brandLink(brand, spec.secondary) : null;
      const products = data.products.map((p) => ({
        name: p.name,
        purchased: format.count(p.purchased),
        assigned: format.count(p.assigned),
        active: format.count(p.active),
      }));
      const html = this.template(source)({
        lang: locale,
        brand,
        t: escaped,
        products,
        ctaUrl,
        secondaryUrl,
        unsubscribeUrl,
      });
      const text = emailText(plain, brand, products, spec.table, ctaUrl, secondaryUrl, unsubscribeUrl);
      return { subject: safeSubject(plain.subject as string), html, text };
    } catch (error) {
      if (error instanceof TemplateRenderError) throw error;
      throw new TemplateRenderError(template, locale, (error as Error).message, { cause: error });
    }
  }

  renderDigest(request: DigestRequest): RenderedEmail {
    const { kind, locale, data, brand } = request;
    try {
      const layout = this.compiled.digests[kind];
      const source = layout === undefined ? undefined : this.compiled.layouts[layout];
      if (!source) throw new Error('digest template not compiled (run npm run build:templates)');
      const format = localeFormat(locale);
      const catalog = this.catalogs[locale];
      const d = catalog.digest;
      const word = (key: DigestWord, values: Record<string, string> = {}, plain = false) =>
        fillCopy(d[key], values, plain);
      const counts = {
        newTasks: format.count(data.newTasks.length),
        overdueTasks: format.count(data.overdueTasks.length),
        escalations: format.count(data.escalations.length),
        ingestProblems: format.count(data.ingestProblems.length),
        date: format.date(data.date),
      };
      const subject = word(kind === 'owner' ? 'ownerSubject' : 'teamSubject', counts, true);
      const t: Record<string, string> = {};
      // Words that take their own values (a date, a play, counts of a file) are filled where they are used.
      for (const key of DIGEST_WORDS) if (!PER_ITEM_WORDS.has(key)) t[key] = word(key, counts);
      t.subject = word(kind === 'owner' ? 'ownerSubject' : 'teamSubject', counts);
      t.heading = word(kind === 'owner' ? 'ownerHeading' : 'teamHeading', counts);
      t.product = fillCopy(catalog.common.product!, {}, false);
      t.purchased = fillCopy(catalog.common.purchased!, {}, false);
      t.assigned = fillCopy(catalog.common.assigned!, {}, false);
      t.active = fillCopy(catalog.common.active!, {}, false);

      const taskView = (task: DigestTask) => ({
        title: d.tasks[task.task ?? 'escalation'] ?? task.task ?? d.tasks.escalation!,
        customerName: task.customerName,
        contactName: task.contactName ?? task.email,
        email: task.email,
        previousContact: task.previousContact,
        mailto: `mailto:${encodeURIComponent(task.email).replace('%40', '@')}`,
        phone: task.phone,
        tel: task.phone ? `tel:${task.phone.replace(/[^\d+]/g, '')}` : null,
        due: format.date(task.dueOn),
        utilization: `${format.percent(task.utilizationPct)} ${d.utilization}`,
        owner: task.ownerEmail,
        reason: task.reason,
        products: task.products.map((p) => ({
          name: p.name,
          purchased: format.count(p.purchased),
          assigned: format.count(p.assigned),
          active: format.count(p.active),
        })),
        // New tasks carry their call script; a task without one (none of ours) gets the general talking points.
        script: task.withTalkingPoints && task.task ? (d.callScripts[task.task] ?? null) : null,
        points: task.withTalkingPoints && !(task.task && d.callScripts[task.task]) ? d.points : [],
        actions: task.actions.map((a) => ({ label: t[ACTION_WORDS[a.action]]!, url: a.url })),
        taskCode: task.taskCode,
      });
      const kpis = data.kpis
        ? [
            {
              label: d.belowSixty,
              value: format.count(data.kpis.belowSixtyPct.value),
              bar: Math.round(
                Math.min(100, (data.kpis.belowSixtyPct.value / Math.max(1, data.kpis.customers)) * 100),
              ),
              target: `≤ ${format.count(data.kpis.belowSixtyPct.target)}`,
              met: data.kpis.belowSixtyPct.met,
              status: data.kpis.belowSixtyPct.met ? d.met : d.notMet,
            },
            {
              label: d.averageUtilization,
              value: format.percent(data.kpis.averageUtilizationPct.value),
              bar: Math.round(Math.min(100, data.kpis.averageUtilizationPct.value)),
              target: `> ${format.percent(data.kpis.averageUtilizationPct.target)}`,
              met: data.kpis.averageUtilizationPct.met,
              status: data.kpis.averageUtilizationPct.met ? d.met : d.notMet,
            },
            {
              label: d.rising,
              value: format.count(data.kpis.risingCustomers),
              bar: Math.round(
                Math.min(100, (data.kpis.risingCustomers / Math.max(1, data.kpis.customers)) * 100),
              ),
              target: null,
              met: true,
              status: null,
            },
          ]
        : [];
      const view = {
        lang: locale,
        brand,
        t,
        newTasks: data.newTasks.map(taskView),
        overdueTasks: data.overdueTasks.map(taskView),
        escalations: data.escalations.map(taskView),
        renewals: data.renewals.map((r) => ({
          customerName: r.customerName,
          renewsOn: word('renewsOn', { termEnd: format.date(r.termEnd) }, true),
          seats: `${format.count(r.seats)} ${catalog.common.purchased!.toLowerCase()}`,
          utilization: `${format.percent(r.utilizationPct)} ${d.utilization}`,
        })),
        wins: data.wins.map((w) => ({
          customerName: w.customerName,
          what: word('resolvedBy', { play: d.plays[w.play] ?? w.play }, true),
        })),
        kpis,
        holdouts: (data.holdouts ?? []).map((h) => {
          const group = (g: GroupResult) =>
            word(
              'holdoutGroup',
              {
                cases: format.count(g.cases),
                rate: format.percent(g.cases > 0 ? g.resolutionRate * 100 : null),
                days: g.medianDaysToResolution === null ? '–' : format.count(g.medianDaysToResolution),
              },
              true,
            );
          const points = Math.round((h.emailed.resolutionRate - h.heldOut.resolutionRate) * 100);
          return {
            play: d.plays[h.play] ?? h.play,
            emailed: group(h.emailed),
            heldOut: group(h.heldOut),
            verdict: h.enoughCases
              ? word('holdoutDifference', { points: `${points > 0 ? '+' : ''}${format.count(points)}` }, true)
              : word('holdoutTooSmall', { min: format.count(MIN_HOLDOUT_GROUP) }, true),
          };
        }),
        waiting:
          data.waiting && data.waiting.emails > 0
            ? word(
                'waitingForQuota',
                { emails: format.count(data.waiting.emails), lastOn: format.date(data.waiting.lastOn) },
                true,
              )
            : null,
        paused: data.paused.map((p) => ({
          customerName: p.customerName,
          until: word('pausedUntil', { until: format.date(p.until) }, true),
          resumeUrl: p.resumeUrl,
        })),
        ownerActivity: data.ownerActivity.map((a) => ({
          owner: a.owner,
          done: format.count(a.done),
          snoozed: format.count(a.snoozed),
          overdue: format.count(a.overdue),
        })),
        ingestProblems: data.ingestProblems.map((p) => ({
          file: p.file,
          summary: p.error
            ? `${d.fileRejected}: ${p.error}`
            : word('rejectedRows', { rejected: format.count(p.rejected), rows: format.count(p.rows) }, true),
          reasons: p.reasons,
        })),
      };
      const html = this.template(source)(view);
      return { subject: safeSubject(subject), html, text: digestText(kind, view, t, d) };
    } catch (error) {
      if (error instanceof TemplateRenderError) throw error;
      throw new TemplateRenderError(`digest-${kind}`, locale, (error as Error).message, { cause: error });
    }
  }

  /** Made once per layout: emails that share a layout share its template function. */
  private template(spec: TemplateSpecification): Compiled {
    let compiled = this.html.get(spec);
    if (!compiled) {
      compiled = engine.template(spec);
      this.html.set(spec, compiled);
    }
    return compiled;
  }
}

type Words = Record<string, string | string[]>;

/**
 * Fills every string of an email's copy twice over in one pass: escaped for the HTML, plain for the text part and
 * the subject. A value is formatted, and escaped, the first time the copy names it, and only then.
 */
function fillWords(
  words: EmailCopy,
  values: Record<string, () => string>,
  common: Record<string, string>,
): { escaped: Words; plain: Words } {
  const formatted: Record<string, string> = {};
  const escapedValues: Record<string, string> = {};
  const plainOf = (name: string): string => {
    let value = formatted[name];
    if (value === undefined) {
      const format = Object.hasOwn(values, name) ? values[name] : undefined;
      if (!format) throw new Error(`"${name}" not defined in the copy values`);
      value = formatted[name] = format();
    }
    return value;
  };
  const escapedOf = (name: string): string =>
    (escapedValues[name] ??= engine.Utils.escapeExpression(plainOf(name)));
  const escaped: Words = {};
  const plain: Words = {};
  const fill = (key: string, text: string) => {
    escaped[key] = fillWith(text, escapedOf);
    plain[key] = fillWith(text, plainOf);
  };
  for (const key in common) fill(key, common[key]!);
  fill('greeting', plainOf('adminName') ? common.greeting! : common.greetingNoName!);
  for (const key in words) {
    if (key === 'variants') continue;
    const value = words[key as keyof EmailCopy];
    if (Array.isArray(value)) {
      escaped[key] = value.map((text) => fillWith(text, escapedOf));
      plain[key] = value.map((text) => fillWith(text, plainOf));
    } else if (typeof value === 'string') fill(key, value);
  }
  return { escaped, plain };
}

function emailWords(copy: EmailCopy | undefined, variant: string | null, template: EmailTemplate): EmailCopy {
  if (!copy) throw new Error(`no copy for template ${template}`);
  const { variants, ...base } = copy;
  if (!variants) return base;
  const chosen = variant ?? Object.keys(variants)[0]!;
  const override = variants[chosen];
  if (!override) throw new Error(`unknown variant "${chosen}" (known: ${Object.keys(variants).join(', ')})`);
  return { ...base, ...override };
}

const atMostAll = (pct: number | null) => (pct === null ? null : Math.min(100, pct));

/** The values copy may name, each formatted for the reader's locale when the copy names it (fillWords). */
function copyValues(
  data: CustomerEmailData,
  brand: Brand,
  format: LocaleFormat,
): Record<string, () => string> {
  return {
    customerName: () => data.customerName,
    adminName: () => data.adminName ?? '',
    brandName: () => brand.name,
    seatsPurchased: () => format.count(data.seatsPurchased),
    seatsAssigned: () => format.count(data.seatsAssigned),
    activeUsers: () => format.count(data.activeUsers),
    unassignedSeats: () => format.count(Math.max(0, data.seatsPurchased - data.seatsAssigned)),
    unusedSeats: () =>
      format.count(data.activeUsers === null ? null : Math.max(0, data.seatsPurchased - data.activeUsers)),
    // Active users above paid seats happen in exports (transfers, overlapping terms); a customer never reads
    // that more than all of their licences are in use.
    utilization: () => format.percent(atMostAll(data.utilizationPct)),
    utilizationBefore: () => format.percent(atMostAll(data.utilizationBeforePct)),
    termEnd: () => format.date(data.termEnd),
    daysToTermEnd: () => format.count(data.daysToTermEnd),
  };
}

function emailText(
  t: Record<string, string | string[]>,
  brand: Brand,
  products: { name: string; purchased: string; assigned: string; active: string }[],
  table: boolean,
  ctaUrl: string,
  secondaryUrl: string | null,
  unsubscribeUrl: string,
): string {
  const blocks: string[] = [t.heading as string, t.greeting as string, ...((t.body as string[]) ?? [])];
  if (t.steps) blocks.push((t.steps as string[]).map((step, i) => `${i + 1}. ${step}`).join('\n'));
  if (table) {
    blocks.push(
      products
        .map(
          (p) =>
            `- ${p.name}: ${t.purchased} ${p.purchased}, ${t.assigned} ${p.assigned}, ${t.active} ${p.active}`,
        )
        .join('\n'),
    );
  }
  if (t.after) blocks.push(t.after as string);
  blocks.push(`${t.cta}: ${ctaUrl}`);
  if (t.secondary && secondaryUrl) blocks.push(`${t.secondary}: ${secondaryUrl}`);
  blocks.push(`${t.signoff}\n${t.team}`);
  blocks.push(
    `--\n${t.footerReason}\n${brand.name} · ${brand.postalAddress}\n${t.unsubscribe}: ${unsubscribeUrl}`,
  );
  return `${blocks.join('\n\n')}\n`;
}

interface TaskLine {
  title: string;
  customerName: string;
  contactName: string;
  email: string;
  previousContact: string | null;
  phone: string | null;
  due: string;
  utilization: string;
  owner: string | null;
  reason: string | null;
  products: { name: string; purchased: string; assigned: string; active: string }[];
  points: string[];
  script: CallScript | null;
  actions: { label: string; url: string }[];
  taskCode: string;
}

function digestText(
  kind: 'owner' | 'team',
  view: {
    newTasks: TaskLine[];
    overdueTasks: TaskLine[];
    escalations: TaskLine[];
    renewals: { customerName: string; renewsOn: string; seats: string; utilization: string }[];
    wins: { customerName: string; what: string }[];
    kpis: { label: string; value: string; target: string | null; status: string | null }[];
    holdouts: { play: string; emailed: string; heldOut: string; verdict: string }[];
    ingestProblems: { file: string; summary: string; reasons: string[] }[];
    paused: { customerName: string; until: string; resumeUrl: string | null }[];
    ownerActivity: { owner: string; done: string; snoozed: string; overdue: string }[];
    waiting: string | null;
  },
  t: Record<string, string>,
  d: Catalog['digest'],
): string {
  const plain = (html: string) =>
    html
      .replace(/&#x27;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  const tasks = (items: TaskLine[]) =>
    items.map((task) =>
      [
        `* ${task.title}: ${task.customerName}`,
        `  ${d.contact}: ${task.contactName} <${task.email}>${task.phone ? `, ${task.phone}` : ''}${task.previousContact ? `; ${d.previousContact}: ${task.previousContact}` : ''}`,
        `  ${d.due}: ${task.due}, ${task.utilization}${task.owner ? `, ${d.owner}: ${task.owner}` : ''}${task.reason ? `, ${task.reason}` : ''}`,
        ...task.products.map((p) => `  - ${p.name}: ${p.purchased} / ${p.assigned} / ${p.active}`),
        `  ${d.taskCode}: ${task.taskCode}`,
        ...(task.points.length
          ? [`  ${d.talkingPoints}:`, ...task.points.map((point) => `    - ${point}`)]
          : []),
        ...(task.script
          ? [
              `  ${d.callScript}: ${task.script.opening}`,
              ...task.script.steps.map((step, i) => `    ${i + 1}. ${step}`),
              ...(task.script.objections.length ? [`  ${d.objections}:`] : []),
              ...task.script.objections.map((o) => `    - "${o.say}" ${o.answer}`),
            ]
          : []),
        ...task.actions.map((a) => `  ${plain(a.label)}: ${a.url}`),
      ].join('\n'),
    );
  // A section with nothing in it is left out, heading and all.
  const section = (title: string, lines: string[]) =>
    lines.length === 0 ? null : `${title}\n${'='.repeat(title.length)}\n${lines.join('\n\n')}`;
  const kpis = view.kpis.map((k) =>
    k.target ? `${k.label}: ${k.value} (${d.target} ${k.target}, ${k.status})` : `${k.label}: ${k.value}`,
  );
  const renewals = view.renewals.map((r) => `${r.customerName}: ${r.renewsOn}, ${r.seats}, ${r.utilization}`);
  const wins = view.wins.map((w) => `${w.customerName}: ${w.what}`);
  const problems = view.ingestProblems.map((p) =>
    [`${p.file}: ${p.summary}`, ...p.reasons.map((r) => `  - ${r}`)].join('\n'),
  );
  const paused = view.paused.map(
    (p) =>
      `${p.customerName}: ${p.until}${p.resumeUrl ? `\n  ${plain(t.actionResume!)}: ${p.resumeUrl}` : ''}`,
  );
  const activity = view.ownerActivity.map(
    (a) =>
      `${a.owner}: ${d.activityDone} ${a.done}, ${d.activitySnoozed} ${a.snoozed}, ${d.activityOverdue} ${a.overdue}`,
  );
  const sections = (
    kind === 'owner'
      ? [
          section(d.newTasks, tasks(view.newTasks)),
          section(d.overdueTasks, tasks(view.overdueTasks)),
          section(d.paused, paused),
          section(d.renewals, renewals),
          section(d.wins, wins),
          section(d.kpis, kpis),
        ]
      : [
          section(d.escalations, tasks(view.escalations)),
          section(d.teamActivity, activity),
          section(d.kpis, kpis),
          ...(view.holdouts.length
            ? [
                section(
                  d.holdout,
                  view.holdouts.map((h) =>
                    [
                      `* ${h.play}`,
                      `  ${d.holdoutEmailed}: ${h.emailed}`,
                      `  ${d.holdoutHeldOut}: ${h.heldOut}`,
                      `  ${h.verdict}`,
                    ].join('\n'),
                  ),
                ),
              ]
            : []),
          section(d.ingestProblems, problems),
          section(d.renewals, renewals),
          section(d.wins, wins),
        ]
  ).filter((s): s is string => s !== null);
  const intro = [plain(t.heading!), plain(t.intro!), ...(view.waiting ? [view.waiting] : [])];
  return `${intro.join('\n\n')}\n\n${sections.join('\n\n')}\n`;
}
