import { daysBetween } from '../../lambdas/domain/dates';
import {
  compareHoldouts,
  type HoldoutComparison,
  inHoldout,
  median,
} from '../../lambdas/domain/engine/holdout';
import type { Playbook } from '../../lambdas/domain/playbook/schema';
import { addTo, type RunEvent } from './runEvents';

// How each play's cases ended: how many were opened and resolved, and how long resolution took.

export interface PlayOutcome {
  casesOpened: number;
  resolved: number;
  /** Resolved over opened, 0..1 (0 when nothing opened). */
  resolutionRate: number;
  /** Median days from opening to resolution over the resolved cases; null when none resolved. */
  medianDaysToResolution: number | null;
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
  for (const life of casesOf(events)) addTo(byPlay, life.play, life);
  return Object.fromEntries(
    [...byPlay.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([play, cases]) => [play, outcomeOf(cases)]),
  );
}

/** A play's holdout comparison in summary.json: the share held out, then the two groups. */
export type HoldoutSummary = HoldoutComparison & { holdoutPercent: number };

/** The comparison for every play with a holdout; the groups as the playbook's hash puts each case's customer. */
export function holdoutsOf(events: readonly RunEvent[], playbook: Playbook): HoldoutSummary[] {
  const percentOf = new Map(playbook.plays.map((p) => [p.id, p.holdoutPercent ?? 0]));
  const plays = playbook.plays.filter((p) => (p.holdoutPercent ?? 0) > 0).map((p) => p.id);
  const cases = casesOf(events).map((c) => ({
    playId: c.play,
    heldOut: inHoldout(c.customerId, c.play, percentOf.get(c.play) ?? 0),
    openedOn: c.openedOn,
    resolvedOn: c.resolvedOn,
  }));
  return compareHoldouts(plays, cases).map((c) => ({ ...c, holdoutPercent: percentOf.get(c.play)! }));
}
