import { z } from 'zod';

// The playbook is data: which plays open when, what resolves them, and their steps (day offsets from the day the
// play opens). One zod schema validates a reseller's JSON and types the engine.

export const METRICS = [
  'deploymentPct',
  'utilizationPct',
  'licensesPurchased',
  'licensesAssigned',
  'activeUsers',
  'unusedSeats',
  'unassignedSeats',
  'termWeek',
  'daysToTermEnd',
  'utilizationChange30d',
  /** 1 when every line of the subscription term renews by itself (renewal and win-back plays), else 0. */
  'autoRenew',
  /** Percentage points the utilization is still below where it was 30 days before the case opened. */
  'utilizationGapToBaseline',
] as const;
export type Metric = (typeof METRICS)[number];

/** Customer emails and the variants each can take; the template files must exist for every one. */
export const EMAIL_TEMPLATES = {
  welcome: ['default'],
  deployment: ['none', 'partial'],
  'deployment-reminder': ['default'],
  'active-use': ['default'],
  resources: ['default'],
  activation: ['standard', 'one-more'],
  progress: ['default'],
  renewal: ['small', 'standard', 'large', 'auto'],
  'renewal-followup': ['default'],
  'renewal-last-call': ['default'],
  winback: ['default'],
  'new-admin': ['default'],
} as const satisfies Record<string, readonly string[]>;
export type EmailTemplate = keyof typeof EMAIL_TEMPLATES;

/** Owner tasks. The last two are raised by delivery, not by plays: an email that cannot be sent. */
export const TASKS = [
  'call-admin-deployment',
  'call-admin-activation',
  'usage-drop',
  'renewal-call',
  'renewal-followup-call',
  'winback-call',
  'new-admin-call',
  'call-admin-suppressed',
  'fix-contact',
] as const;
export type TaskId = (typeof TASKS)[number];

const METRIC_LIST = METRICS.join(', ');

export const Condition = z
  .object({
    metric: z.string().refine((m) => (METRICS as readonly string[]).includes(m), {
      error: (issue) => `unknown metric "${String(issue.input)}" (known: ${METRIC_LIST})`,
    }),
    op: z.enum(['<', '<=', '>', '>=', '==', '!=']),
    value: z.number(),
  })
  .strict()
  .transform((c) => ({ ...c, metric: c.metric as Metric }));
export type Condition = z.infer<typeof Condition>;

const day = z
  .number({ error: 'day must be a number of days after the play opens' })
  .int('day must be a whole number of days')
  .min(0, {
    error: (issue) => `negative offset ${String(issue.input)}: a step cannot come before its play opens`,
  });

export const VariantRule = z.object({ variant: z.string(), when: z.array(Condition).default([]) }).strict();

export const EmailStep = z
  .object({
    kind: z.literal('email'),
    day,
    template: z.string(),
    /** The first rule whose conditions all hold picks the variant; a rule without conditions is the fallback. */
    variants: z.array(VariantRule).optional(),
    /** The email goes only when these hold on the night the play opens (a last call is not for auto-renewals). */
    when: z.array(Condition).optional(),
  })
  .strict();
export const TaskStep = z.object({ kind: z.literal('task'), day, task: z.enum(TASKS) }).strict();
export const EscalationStep = z
  .object({ kind: z.literal('escalation'), day, reason: z.string().min(1) })
  .strict();
export const Step = z.discriminatedUnion('kind', [EmailStep, TaskStep, EscalationStep]);
export type Step = z.infer<typeof Step>;

export const Opens = z.discriminatedUnion('on', [
  /** Opens on a day within term weeks from..to (to omitted: until the term ends). */
  z
    .object({
      on: z.literal('termWeek'),
      from: z.number().int().min(1),
      to: z.number().int().min(1).optional(),
      /** Only in the first term the system saw for the customer (a welcome is not repeated at renewal). */
      firstTermOnly: z.boolean().default(false),
    })
    .strict(),
  /** Opens a fixed number of days before term_end; the anchor is that day even when seen late. */
  z.object({ on: z.literal('beforeTermEnd'), days: z.number().int().positive() }).strict(),
  /** Opens a number of days after term_end when the term was not renewed. */
  z.object({ on: z.literal('afterTermEnd'), days: z.number().int().positive() }).strict(),
  /** Opens on any day its conditions hold (trend plays). */
  z.object({ on: z.literal('anyDay') }).strict(),
  /** Opens when a later export names a different admin address than an earlier one (anchored on that day). */
  z.object({ on: z.literal('adminChange') }).strict(),
]);
export type Opens = z.infer<typeof Opens>;

export const Play = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'play ids are lowercase words joined by hyphens'),
    /** Lower wins when two customer emails would reach one admin on the same day. */
    priority: z.number().int().min(1),
    description: z.string().optional(),
    opens: Opens,
    when: z.array(Condition).default([]),
    /** 'renewed': term_end moved forward. Conditions: all must hold. Absent: the play just runs its steps. */
    resolvedWhen: z.union([z.literal('renewed'), z.array(Condition).min(1)]).optional(),
    /** A play that may run again in the same term, at most once per this many days. */
    repeatAfterDays: z.number().int().positive().optional(),
    /** This share of customers (0–50 %, by a hash of customer and play) gets the play's tasks but not its emails. */
    holdoutPercent: z.number().min(0).max(50).optional(),
    steps: z.array(Step).min(1, 'a play needs at least one step'),
  })
  .strict();
export type Play = z.infer<typeof Play>;

export const PlaybookSchema = z.object({ plays: z.array(Play).min(1) }).strict();
export type Playbook = z.infer<typeof PlaybookSchema>;
