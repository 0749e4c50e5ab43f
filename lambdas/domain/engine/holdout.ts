import { daysBetween, type IsoDate } from '../dates';
import type { Case } from './cases';

// Holdout groups: a play may keep its emails from a fixed share of customers (its holdoutPercent), who still get
// the play's tasks. Comparing how often and how fast their cases resolve with the emailed customers' shows what
// the emails add over what would have happened anyway.

/** Below this many cases in either group, a difference in resolution rates says nothing yet. */
export const MIN_HOLDOUT_GROUP = 30;

/** FNV-1a, 32 bits: a stable spread of ids over buckets, the same in every process and release. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Whether a customer is in a play's holdout group: the same answer every night for the same customer, play and
 * percentage, independent of every other customer (10,000 buckets, so 12.5 % is possible).
 */
export function inHoldout(customerId: string, playId: string, holdoutPercent: number): boolean {
  if (holdoutPercent <= 0) return false;
  return fnv1a(`${customerId}|${playId}`) % 10_000 < holdoutPercent * 100;
}

/** Whether a case's emails are held back: its customer was in the play's holdout group when it opened. */
export const isHeldOut = (c: { heldOut?: boolean }) => c.heldOut === true;

/** What the comparison needs of a case. */
export interface CaseResult {
  playId: string;
  heldOut: boolean;
  openedOn: IsoDate;
  resolvedOn: IsoDate | null;
}

export interface GroupResult {
  cases: number;
  resolved: number;
  /** resolved / cases, 0..1; 0 for an empty group. */
  resolutionRate: number;
  /** Median days from opening to resolution, over the resolved cases; null when none resolved. */
  medianDaysToResolution: number | null;
}

export interface HoldoutComparison {
  play: string;
  emailed: GroupResult;
  heldOut: GroupResult;
  /** False while either group has fewer than MIN_HOLDOUT_GROUP cases: too small to tell. */
  enoughCases: boolean;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function groupResult(cases: readonly CaseResult[]): GroupResult {
  const resolved = cases.filter((c) => c.resolvedOn !== null);
  return {
    cases: cases.length,
    resolved: resolved.length,
    resolutionRate: cases.length > 0 ? resolved.length / cases.length : 0,
    medianDaysToResolution: median(resolved.map((c) => daysBetween(c.openedOn, c.resolvedOn!))),
  };
}

/** Emailed against held-out cases, for each of the given plays (those that have a holdout), in that order. */
export function compareHoldouts(plays: readonly string[], cases: readonly CaseResult[]): HoldoutComparison[] {
  return plays.map((play) => {
    const mine = cases.filter((c) => c.playId === play);
    const emailed = groupResult(mine.filter((c) => !c.heldOut));
    const heldOut = groupResult(mine.filter((c) => c.heldOut));
    return {
      play,
      emailed,
      heldOut,
      enoughCases: emailed.cases >= MIN_HOLDOUT_GROUP && heldOut.cases >= MIN_HOLDOUT_GROUP,
    };
  });
}

/** The comparison from stored cases (each knows whether it was held out), for the plays that held any out. */
export function holdoutsOfCases(cases: readonly Case[]): HoldoutComparison[] {
  const plays = [...new Set(cases.filter(isHeldOut).map((c) => c.playId))].sort();
  return compareHoldouts(
    plays,
    cases.map((c) => ({
      playId: c.playId,
      heldOut: isHeldOut(c),
      openedOn: c.openedOn,
      resolvedOn: c.resolvedOn,
    })),
  );
}
