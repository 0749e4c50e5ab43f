import type { CustomerState, UsagePoint } from '../lambdas/domain/customer';
import { addDays, type IsoDate } from '../lambdas/domain/dates';
import { taskCodeOf } from '../lambdas/domain/delivery/taskCode';
import type { Locale } from '../lambdas/domain/locales';
import { portfolioKpis } from '../lambdas/domain/metrics';
import { EMAIL_TEMPLATES, type EmailTemplate } from '../lambdas/domain/playbook/schema';
import { Brand } from '../lambdas/rendering/brand';
import type { CustomerEmailData, DigestData, DigestTask } from '../lambdas/rendering/model';

// Realistic sample data for the preview gallery, the local run's defaults and the rendering tests.

export const SAMPLE_BRAND: Brand = Brand.parse({
  name: 'Northwind Licensing',
  logoUrl: null,
  primaryColor: '#12344d',
  accentColor: '#1f6feb',
  postalAddress: 'Hafenstraße 12, 20457 Hamburg, Germany',
  adminConsoleUrl: 'https://admin.vendor.example/console',
  signInUrl: 'https://apps.vendor.example/sign-in',
  bookingUrl: 'https://northwind-licensing.example/book',
  supportUrl: 'https://northwind-licensing.example/support',
  trainingUrl: 'https://learn.vendor.example/training',
  renewUrl: 'https://northwind-licensing.example/renew',
});

const NAMES: Record<Locale, { customer: string; admin: string }> = {
  en: { customer: 'Bluebridge Architects Ltd', admin: 'Amelia Hughes' },
  es: { customer: 'Costa Diseño S.L.', admin: 'Lucía García' },
  fr: { customer: 'Loire Lumière SARL', admin: 'Élodie Moreau' },
  de: { customer: 'Alpenforge Engineering GmbH', admin: 'Jonas Schäfer' },
};

/** Seat numbers that make each template and variant read true. */
function seatsFor(template: EmailTemplate, variant: string | null) {
  if (template === 'deployment' && variant === 'none')
    return { purchased: [12, 5], assigned: [0, 0], active: [0, 0] };
  if (template === 'deployment' || template === 'deployment-reminder')
    return { purchased: [12, 5], assigned: [7, 5], active: [5, 4] };
  if (template === 'activation' && variant === 'one-more')
    return { purchased: [6, 2], assigned: [6, 2], active: [5, 2] };
  if (template === 'activation') return { purchased: [20, 10], assigned: [20, 8], active: [6, 3] };
  if (template === 'renewal' && variant === 'small')
    return { purchased: [5, 3], assigned: [5, 3], active: [4, 3] };
  if (template === 'renewal' && variant === 'large')
    return { purchased: [40, 25], assigned: [38, 25], active: [33, 20] };
  return { purchased: [14, 6], assigned: [14, 6], active: [12, 5] };
}

export function sampleEmailData(
  template: EmailTemplate,
  variant: string | null,
  locale: Locale,
): CustomerEmailData {
  const seats = seatsFor(template, variant);
  const productNames = ['Creative Cloud All Apps', 'Acrobat Pro'];
  const products = productNames.map((name, i) => ({
    name,
    purchased: seats.purchased[i]!,
    assigned: seats.assigned[i]!,
    active: seats.active[i]!,
  }));
  const sum = (key: 'purchased' | 'assigned' | 'active') => products.reduce((n, p) => n + p[key], 0);
  const purchased = sum('purchased');
  return {
    customerName: NAMES[locale].customer,
    adminName: NAMES[locale].admin,
    products,
    seatsPurchased: purchased,
    seatsAssigned: sum('assigned'),
    activeUsers: sum('active'),
    utilizationPct: (sum('active') / purchased) * 100,
    utilizationBeforePct: template === 'progress' ? 48 : null,
    termEnd: template === 'winback' ? '2026-11-02' : '2027-02-15',
    daysToTermEnd: template === 'renewal-last-call' ? 28 : 84,
    unsubscribeUrl: 'https://unsubscribe.northwind-licensing.example/u/eyJlIjoiYWRtaW4ifQ.c2lnbmF0dXJl',
  };
}

/** Every template with each of its variants (null for a template with a single form). */
export function templateVariants(): { template: EmailTemplate; variant: string | null }[] {
  const all: { template: EmailTemplate; variant: string | null }[] = [];
  for (const [template, variants] of Object.entries(EMAIL_TEMPLATES) as [
    EmailTemplate,
    readonly string[],
  ][]) {
    if (variants.length === 1 && variants[0] === 'default') all.push({ template, variant: null });
    else for (const variant of variants) all.push({ template, variant });
  }
  return all;
}

function task(overrides: Partial<DigestTask>): DigestTask {
  return {
    task: 'call-admin-activation',
    reason: null,
    customerName: 'Alpenforge Engineering GmbH',
    contactName: 'Jonas Schäfer',
    email: 'jonas.schaefer@alpenforge.example',
    phone: '+49 40 1234 5678',
    dueOn: '2026-11-23',
    products: [
      { name: 'SOLIDWORKS Professional', purchased: 12, assigned: 12, active: 4 },
      { name: '3DEXPERIENCE Collaborative Industry Innovator', purchased: 8, assigned: 6, active: 2 },
    ],
    utilizationPct: 30,
    ownerEmail: null,
    previousContact: null,
    withTalkingPoints: true,
    taskCode: taskCodeOf({
      to: 'dana.owner@reseller.example',
      dueOn: '2026-11-23',
      taskId: '5f3a9c1e0d2b4a6978c1e0f3a9c1e5d2',
      customerId: 'C-1001',
    }),
    actions: (['done', 'snooze', 'pause'] as const).map((action) => ({
      action,
      url: `https://actions.reseller.example/a/sample-${action}`,
    })),
    ...overrides,
  };
}

export function sampleDigestData(kind: 'owner' | 'team'): DigestData {
  return {
    date: '2026-11-23',
    newTasks:
      kind === 'owner'
        ? [
            task({}),
            task({
              task: 'renewal-call',
              customerName: 'Bluebridge Architects Ltd',
              contactName: 'Amelia Hughes',
              email: 'amelia.hughes@bluebridge.example',
              phone: null,
              utilizationPct: 86,
              products: [{ name: 'Creative Cloud All Apps', purchased: 14, assigned: 14, active: 12 }],
            }),
            task({
              task: 'new-admin-call',
              customerName: 'Costa Verde Estudio SL',
              contactName: 'Lucía Romero',
              email: 'lucia.romero@costaverde.example',
              previousContact: 'Javier Molina (javier.molina@costaverde.example)',
              phone: null,
              utilizationPct: null,
              products: [{ name: 'Acrobat Pro', purchased: 6, assigned: 5, active: null }],
            }),
          ]
        : [],
    overdueTasks:
      kind === 'owner'
        ? [
            task({
              task: 'call-admin-deployment',
              customerName: 'Costa Diseño S.L.',
              contactName: 'Lucía García',
              email: 'lucia.garcia@costa.example',
              dueOn: '2026-11-16',
              withTalkingPoints: false,
            }),
          ]
        : [],
    escalations:
      kind === 'team'
        ? [
            task({
              task: null,
              reason: 'seats still unassigned three weeks after the first email',
              ownerEmail: 'dana.owner@reseller.example',
              withTalkingPoints: false,
            }),
          ]
        : [],
    renewals: [
      { customerName: 'Bluebridge Architects Ltd', termEnd: '2027-02-15', seats: 14, utilizationPct: 86 },
      { customerName: 'Loire Lumière SARL', termEnd: '2027-01-09', seats: 31, utilizationPct: 58 },
    ],
    wins: [{ customerName: 'Silverfield Media Inc.', play: 'deployment' }],
    kpis: portfolioKpis(samplePortfolio('2026-11-23')),
    paused:
      kind === 'owner'
        ? [
            {
              customerName: 'Harbourline Logistics Ltd',
              until: '2026-12-18',
              resumeUrl: 'https://actions.reseller.example/a/sample-resume',
            },
          ]
        : [],
    ownerActivity:
      kind === 'team'
        ? [
            { owner: 'dana.owner@reseller.example', done: 6, snoozed: 1, overdue: 0 },
            { owner: 'sam.owner@reseller.example', done: 0, snoozed: 2, overdue: 3 },
          ]
        : [],
    ingestProblems:
      kind === 'team'
        ? [
            {
              file: 'snapshots/partner-center-2026-11-22.csv',
              rows: 1840,
              rejected: 3,
              error: null,
              reasons: ['line 12, licenses_purchased: expected a whole number of seats, 0 or more, got "-4"'],
            },
          ]
        : [],
    ...(kind === 'team'
      ? {
          holdouts: [
            {
              play: 'renewal',
              emailed: { cases: 212, resolved: 171, resolutionRate: 171 / 212, medianDaysToResolution: 23 },
              heldOut: { cases: 48, resolved: 33, resolutionRate: 33 / 48, medianDaysToResolution: 31 },
              enoughCases: true,
            },
            {
              play: 'activation',
              emailed: { cases: 40, resolved: 14, resolutionRate: 0.35, medianDaysToResolution: 12 },
              heldOut: { cases: 9, resolved: 2, resolutionRate: 2 / 9, medianDaysToResolution: 20.5 },
              enoughCases: false,
            },
          ],
        }
      : {}),
  };
}

/**
 * A small portfolio whose KPIs the digest previews show, computed as the digest computes them: seat figures
 * now and 30 days earlier, so the growers are real ones (two customers rose by more than 10 points).
 */
export function samplePortfolio(date: IsoDate): { state: CustomerState; history: UsagePoint[] }[] {
  const figures: [purchased: number, activeBefore: number, activeNow: number][] = [
    [20, 8, 16],
    [14, 12, 12],
    [31, 12, 18],
    [10, 9, 8],
    [25, 11, 12],
    [8, 7, 7],
  ];
  return figures.map(([purchased, before, now], i) => {
    const termStart = addDays(date, -200);
    const termEnd = addDays(termStart, 365);
    const point = (snapshotDate: IsoDate, activeUsers: number): UsagePoint => ({
      snapshotDate,
      termStart,
      termEnd,
      licensesPurchased: purchased,
      licensesAssigned: purchased,
      activeUsers,
    });
    const state: CustomerState = {
      customerId: `S-${i + 1}`,
      customerName: `Sample customer ${i + 1}`,
      adminEmail: `admin${i + 1}@customer.example`,
      adminAddress: `admin${i + 1}@customer.example`,
      ownerEmail: 'dana.owner@reseller.example',
      locale: 'en',
      timezone: 'Europe/Berlin',
      ...point(date, now),
      lines: [],
    };
    return { state, history: [point(addDays(date, -30), before), point(date, now)] };
  });
}

/** An owner digest with one new task of every type that has a call script, for the gallery's call scripts. */
export function sampleCallScriptDigest(tasks: readonly string[]): DigestData {
  const data = sampleDigestData('owner');
  return {
    ...data,
    newTasks: tasks.map((id) =>
      task({
        task: id,
        ...(id === 'new-admin-call'
          ? { previousContact: 'Javier Molina (javier.molina@costaverde.example)' }
          : {}),
        ...(id === 'renewal-call' || id === 'renewal-followup-call'
          ? {
              actions: [
                ...task({}).actions,
                {
                  action: 'wont-renew' as const,
                  url: 'https://actions.reseller.example/a/sample-wont-renew',
                },
              ],
            }
          : {}),
      }),
    ),
    overdueTasks: [],
  };
}
