import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Playbook } from '../../lambdas/domain/playbook/schema';
import { runSimulation, type SimulationOptions, type SimulationSummary } from '../simulation';
import { escapeHtml, page, table } from './html';
import { outcomesByPlay } from './playOutcomes';
import type { RunEvent } from './runEvents';
import { customerFileOf } from './runReport';

// Before go-live: the same snapshots replayed under a second playbook (the default, or another file), and
// OUT/compare.html setting the two side by side, per play and per customer whose journey differs.

/** Where the second run's full output goes, inside OUT. */
export const BASELINE_FOLDER = 'baseline';

export interface PlayFigures {
  emails: number;
  heldOut: number;
  tasks: number;
  escalations: number;
  casesOpened: number;
  resolutions: number;
  medianDaysToResolution: number | null;
}

const MEASURES: [keyof PlayFigures, string][] = [
  ['emails', 'emails'],
  ['heldOut', 'emails held out'],
  ['tasks', 'owner tasks'],
  ['escalations', 'escalations'],
  ['casesOpened', 'cases opened'],
  ['resolutions', 'cases resolved'],
  ['medianDaysToResolution', 'median days to resolve'],
];

export function figuresByPlay(events: readonly RunEvent[]): Record<string, PlayFigures> {
  const figures: Record<string, PlayFigures> = {};
  const of = (play: string) => {
    figures[play] ??= {
      emails: 0,
      heldOut: 0,
      tasks: 0,
      escalations: 0,
      casesOpened: 0,
      resolutions: 0,
      medianDaysToResolution: null,
    };
    return figures[play];
  };
  for (const e of events) {
    if (e.kind === 'email') of(e.play).emails++;
    else if (e.kind === 'held-out') of(e.play).heldOut++;
    else if (e.kind === 'task') of(e.play)[e.level === 2 ? 'escalations' : 'tasks']++;
    else if (e.kind === 'case-opened') of(e.play).casesOpened++;
    else if (e.kind === 'case-resolved') of(e.play).resolutions++;
  }
  for (const [play, outcome] of Object.entries(outcomesByPlay(events)))
    of(play).medianDaysToResolution = outcome.medianDaysToResolution;
  return figures;
}

/** One customer's journey as lines a reader can compare: day, what happened, in which play. */
export function journeyLines(events: readonly RunEvent[]): Map<string, string[]> {
  const journeys = new Map<string, string[]>();
  for (const e of events) {
    if (!('customerId' in e)) continue;
    const day = e.at.slice(0, 10);
    let line: string;
    if (e.kind === 'email')
      line = `${day} email ${e.template}${e.variant ? ` (${e.variant})` : ''} · ${e.play}`;
    else if (e.kind === 'held-out') line = `${day} held out ${e.template} · ${e.play}`;
    else if (e.kind === 'task')
      line = `${day} ${e.level === 2 ? 'escalation' : `task ${e.task}`} · ${e.play}`;
    else if (e.kind === 'case-opened') line = `${day} case opened · ${e.play}`;
    else if (e.kind === 'case-resolved') line = `${day} resolved · ${e.play}`;
    else if (e.kind === 'suppressed') line = `${day} suppressed ${e.template} · ${e.play}`;
    else continue;
    const lines = journeys.get(e.customerId) ?? [];
    // An escalation goes to every team lead: one line is enough for the journey.
    if (lines.at(-1) !== line) lines.push(line);
    journeys.set(e.customerId, lines);
  }
  return journeys;
}

export interface CompareInput {
  yours: { label: string; events: readonly RunEvent[]; summary: SimulationSummary };
  baseline: { label: string; events: readonly RunEvent[]; summary: SimulationSummary };
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export function comparePage({ yours, baseline }: CompareInput): string {
  const a = figuresByPlay(baseline.events);
  const b = figuresByPlay(yours.events);
  const same = (play: string) => MEASURES.every(([m]) => (a[play]?.[m] ?? null) === (b[play]?.[m] ?? null));
  // The plays the change touches first.
  const plays = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(
    (x, y) => Number(same(x)) - Number(same(y)) || (x < y ? -1 : 1),
  );
  const cell = (play: string, measure: string, side: string, value: number | null) =>
    `<span data-play="${escapeHtml(play)}" data-measure="${measure}" data-side="${side}">${value ?? '–'}</span>`;
  const playTables = plays.map((play) => {
    const rows = MEASURES.map(([measure, label]) => {
      const before = a[play]?.[measure] ?? (measure === 'medianDaysToResolution' ? null : 0);
      const after = b[play]?.[measure] ?? (measure === 'medianDaysToResolution' ? null : 0);
      const difference = before === null || after === null ? '–' : signed(after - before);
      return [
        label,
        cell(play, measure, 'baseline', before),
        cell(play, measure, 'yours', after),
        difference === '0' ? '<span class="muted">0</span>' : `<b>${difference}</b>`,
      ];
    });
    return `<h3>${escapeHtml(play)}${same(play) ? ' <small>(the same under both)</small>' : ''}</h3>${table(['', escapeHtml(baseline.label), escapeHtml(yours.label), 'difference'], rows, [false, true, true, true])}`;
  });

  const before = journeyLines(baseline.events);
  const after = journeyLines(yours.events);
  const customers = [...new Set([...before.keys(), ...after.keys()])].sort();
  const differing = customers.filter(
    (id) => (before.get(id) ?? []).join('\n') !== (after.get(id) ?? []).join('\n'),
  );
  const side = (lines: string[], other: string[]) => {
    const rest = [...other];
    return `<ul>${lines
      .map((line) => {
        const i = rest.indexOf(line);
        if (i >= 0) {
          rest.splice(i, 1);
          return `<li>${escapeHtml(line)}</li>`;
        }
        return `<li><mark>${escapeHtml(line)}</mark></li>`;
      })
      .join('')}</ul>`;
  };
  const journeyRows = differing.map((id) => {
    const file = encodeURIComponent(customerFileOf(id));
    return [
      `<a href="${BASELINE_FOLDER}/customers/${escapeHtml(file)}">${escapeHtml(id)}</a>${side(before.get(id) ?? [], after.get(id) ?? [])}`,
      `<a href="customers/${escapeHtml(file)}">${escapeHtml(id)}</a>${side(after.get(id) ?? [], before.get(id) ?? [])}`,
    ];
  });

  const body = `<h1>Playbooks compared: ${escapeHtml(yours.label)} against ${escapeHtml(baseline.label)}</h1>
<p class="muted">The same ${yours.summary.days} nights and ${yours.summary.customers} customers replayed under both. Reports: <a href="index.html">${escapeHtml(yours.label)}</a> · <a href="${BASELINE_FOLDER}/index.html">${escapeHtml(baseline.label)}</a></p>
<h2>Per play</h2>
<div class="charts">${playTables.map((t) => `<div>${t}</div>`).join('\n')}</div>
<h2>Customers whose journeys differ (<span id="differing">${differing.length}</span> of ${customers.length})</h2>
<p class="muted">Highlighted: what happens under one playbook and not the other.</p>
${differing.length ? table([escapeHtml(baseline.label), escapeHtml(yours.label)], journeyRows) : '<p>None: both playbooks do the same for every customer.</p>'}`;
  return page(`Playbooks compared: ${yours.label} against ${baseline.label}`, body);
}

async function eventsOf(out: string): Promise<RunEvent[]> {
  const text = await readFile(join(out, 'events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunEvent);
}

/**
 * Replays the run's snapshots again under `baseline` into OUT/baseline/ and writes OUT/compare.html. Called after
 * the run under the reseller's playbook has written OUT.
 */
export async function compareWithBaseline(
  options: SimulationOptions,
  yours: { label: string; summary: SimulationSummary },
  baseline: { label: string; playbook: Playbook },
): Promise<SimulationSummary> {
  const out = join(options.out, BASELINE_FOLDER);
  const summary = await runSimulation({ ...options, out, playbook: baseline.playbook });
  await writeFile(
    join(options.out, 'compare.html'),
    comparePage({
      yours: { ...yours, events: await eventsOf(options.out) },
      baseline: { label: baseline.label, summary, events: await eventsOf(out) },
    }),
  );
  return summary;
}
