import { escapeHtml } from './html';

// Small inline SVG charts for the run report: drawn here as text, so the pages open from disk with no script
// or library. Every chart scales to its container (viewBox, width 100 %).

export const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#475569',
  '#ea580c',
  '#4f46e5',
  '#0d9488',
];

export interface Series {
  name: string;
  color: string;
  values: number[];
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
const plotWidth = WIDTH - PAD.left - PAD.right;
const plotHeight = HEIGHT - PAD.top - PAD.bottom;

/** A round upper bound for the y axis and its ticks. */
function scaleOf(max: number): { top: number; ticks: number[] } {
  if (max <= 0) return { top: 1, ticks: [0, 1] };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(Number(t.toFixed(6)));
  return { top, ticks };
}

const number = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function frame(title: string, top: number, ticks: number[], labels: string[], body: string): string {
  const y = (v: number) => PAD.top + plotHeight - (v / top) * plotHeight;
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e4e7eb"/>` +
        `<text x="${PAD.left - 4}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${number(t)}</text>`,
    )
    .join('');
  // At most about eight labels along the bottom, evenly spaced.
  const every = Math.max(1, Math.ceil(labels.length / 6));
  const xLabels = labels
    .map((label, i) =>
      i % every === 0
        ? `<text x="${(PAD.left + ((i + 0.5) / labels.length) * plotWidth).toFixed(1)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(label)}</text>`
        : '',
    )
    .join('');
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}" font-size="14" fill="#52606d">${grid}${body}${xLabels}</svg>`;
}

/** Bars per bucket (one week, say), the series stacked on each other. */
export function stackedBars(title: string, labels: string[], series: Series[]): string {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const { top, ticks } = scaleOf(Math.max(0, ...totals));
  const slot = plotWidth / Math.max(1, labels.length);
  const barWidth = Math.max(1, slot * 0.8);
  const bars: string[] = [];
  for (const [i, label] of labels.entries()) {
    let base = 0;
    for (const s of series) {
      const value = s.values[i] ?? 0;
      if (value === 0) continue;
      const y0 = PAD.top + plotHeight - ((base + value) / top) * plotHeight;
      const height = (value / top) * plotHeight;
      bars.push(
        `<rect x="${(PAD.left + i * slot + (slot - barWidth) / 2).toFixed(1)}" y="${y0.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${label} · ${s.name}: ${value}`)}</title></rect>`,
      );
      base += value;
    }
  }
  return frame(title, top, ticks, labels, bars.join(''));
}

/** Lines over evenly spaced points (nights, weeks); a null value leaves a gap. */
export function lines(
  title: string,
  labels: string[],
  series: { name: string; color: string; values: (number | null)[] }[],
  options: { max?: number } = {},
): string {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const { top, ticks } = scaleOf(Math.max(options.max ?? 0, ...values));
  const x = (i: number) => PAD.left + ((i + 0.5) / Math.max(1, labels.length)) * plotWidth;
  const y = (v: number) => PAD.top + plotHeight - (Math.min(v, top) / top) * plotHeight;
  const paths = series.map((s) => {
    let d = '';
    let pen = false;
    for (const [i, v] of s.values.entries()) {
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
      pen = true;
    }
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"><title>${escapeHtml(s.name)}</title></path>`;
  });
  return frame(title, top, ticks, labels, paths.join(''));
}

export function legend(series: { name: string; color: string }[]): string {
  return `<p class="legend">${series
    .map((s) => `<span><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`)
    .join('')}</p>`;
}

/** One row of bars on a shared time line (terms, cases), with marks (emails, tasks) on top. */
export interface TimelineRow {
  label: string;
  bars: { from: string; to: string; color: string; title: string }[];
  marks?: { on: string; color: string; title: string; shape: 'dot' | 'square' }[];
}

export function timeline(title: string, from: string, to: string, rows: TimelineRow[]): string {
  const left = 170;
  const rowHeight = 26;
  const height = rows.length * rowHeight + 28;
  const start = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - start);
  const x = (date: string) =>
    left + Math.min(1, Math.max(0, (Date.parse(date) - start) / span)) * (WIDTH - left - PAD.right);
  const body = rows
    .map((row, r) => {
      const y = r * rowHeight + 4;
      const bars = row.bars
        .map(
          (b) =>
            `<rect x="${x(b.from).toFixed(1)}" y="${y + 3}" width="${Math.max(2, x(b.to) - x(b.from)).toFixed(1)}" height="${rowHeight - 8}" rx="3" fill="${b.color}" opacity="0.8"><title>${escapeHtml(b.title)}</title></rect>`,
        )
        .join('');
      const marks = (row.marks ?? [])
        .map((m) =>
          m.shape === 'dot'
            ? `<circle cx="${x(m.on).toFixed(1)}" cy="${y + rowHeight / 2 - 1}" r="4" fill="${m.color}" stroke="#fff"><title>${escapeHtml(m.title)}</title></circle>`
            : `<rect x="${(x(m.on) - 4).toFixed(1)}" y="${y + rowHeight / 2 - 5}" width="8" height="8" fill="${m.color}" stroke="#fff"><title>${escapeHtml(m.title)}</title></rect>`,
        )
        .join('');
      const label = row.label.length > 20 ? `${row.label.slice(0, 19)}…` : row.label;
      return `<text x="4" y="${y + rowHeight / 2 + 3}">${escapeHtml(label)}</text>${bars}${marks}`;
    })
    .join('');
  // Month ticks along the bottom.
  const ticks: string[] = [];
  const first = new Date(start);
  for (
    let d = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
    d.getTime() <= start + span;
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 2, 1))
  ) {
    const iso = d.toISOString().slice(0, 10);
    // A label too near the right edge would be cut off.
    if (x(iso) > WIDTH - 30) break;
    ticks.push(
      `<line x1="${x(iso).toFixed(1)}" x2="${x(iso).toFixed(1)}" y1="0" y2="${height - 20}" stroke="#e4e7eb"/><text x="${x(iso).toFixed(1)}" y="${height - 6}" text-anchor="middle">${iso.slice(0, 7)}</text>`,
    );
  }
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}" font-size="14" fill="#52606d">${ticks.join('')}${body}</svg>`;
}
