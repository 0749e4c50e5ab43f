import { daysBetween } from '../../lambdas/domain/dates';
import type { RunEvent } from './runEvents';

// How each play's cases ended: how many were opened and resolved, and how long resolution took.

export interface PlayOutcome {
  casesOpened: number;
  resolved: number;
  /** Resolved over opened, 0..1 (0 when nothing opened). */
  resolutionRate: number;
  /** Median days from opening to resolution over the resolved cases; null when none resolved. */
  medianDaysToResolution: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface CaseLife {
  caseId: string;
  customerId: string;
  play: string;
  openedOn: string;
  resolvedOn: string | null;
}

/** Every case the events show, with the day it opened and (if it did) resolved. */
export function casesOf(events: readonly RunEvent[]): CaseLife[] {
  const cases = new Map<string, CaseLife>();
  for (const e of events) {
    if (e.kind === 'case-opened' && !cases.has(e.caseId))
      cases.set(e.caseId, {
        caseId: e.caseId,
        customerId: e.customerId,
        play: e.play,
        openedOn: e.at.slice(0, 10),
        resolvedOn: null,
      });
    else if (e.kind === 'case-resolved') {
      const life = cases.get(e.caseId);
      if (life && !life.resolvedOn) life.resolvedOn = e.at.slice(0, 10);
    }
  }
  return [...cases.values()];
}

export function outcomeOf(cases: readonly CaseLife[]): PlayOutcome {
  const resolved = cases.filter((c) => c.resolvedOn !== null);
  return {
    casesOpened: cases.length,
    resolved: resolved.length,
    resolutionRate: cases.length > 0 ? resolved.length / cases.length : 0,
    medianDaysToResolution: median(resolved.map((c) => daysBetween(c.openedOn, c.resolvedOn!))),
  };
}

export function outcomesByPlay(events: readonly RunEvent[]): Record<string, PlayOutcome> {
  const byPlay = new Map<string, CaseLife[]>();
  for (const life of casesOf(events)) byPlay.set(life.play, [...(byPlay.get(life.play) ?? []), life]);
  return Object.fromEntries(
    [...byPlay.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([play, cases]) => [play, outcomeOf(cases)]),
  );
}
