import type { IsoDate } from '../../domain/dates';
import { addDays } from '../../domain/dates';
import type { Case, StepStatus } from '../../domain/engine/cases';
import { isPacked, packText, unpackText } from './packedText';
import { epochSeconds, keys } from './tableDesign';

/** What of each step is updated in place, by path: its status (done, cancelled) and its day (an email moved). */
interface LiveStep {
  status: StepStatus;
  dueOn: IsoDate;
}

/**
 * A case as stored: the whole case as packed JSON in `caseData` (packedText.ts), and beside it, while the case is
 * open, `case.steps`: each step's status and due day, which the step function and a moved email update by path
 * (`case.steps[i].status`). `caseStatus`, `finishedOn`, `play` and `heldOut` are there to filter on: the digests
 * leave cases finished long ago behind, server-side.
 *
 * A finished case changes no more. Its whole JSON moves to `finishedCase`, and `caseData` keeps what the nightly
 * evaluation reads of it (finishedCaseHead): every night's scan reads every case, most of them are finished, and
 * their steps were two thirds of the scan's bytes. The evaluation's scan leaves `finishedCase` behind
 * (FINISHED_CASE); every other read takes the whole case.
 *
 * Items written as one map, or with the JSON unpacked in `caseJson`, still read, and the same paths update them.
 * Finished cases written whole in `caseData` read whole everywhere.
 */
export function caseItem(c: Case, retentionDays: number): Record<string, unknown> {
  // Finished cases stay for the retention period (wins, repeat limits), then expire.
  const finishedOn = c.resolvedOn ?? c.closedOn;
  const steps: LiveStep[] = c.steps.map((step) => ({ status: step.status, dueOn: step.dueOn }));
  return {
    ...keys.case(c.customerId, c.caseId),
    entity: 'case',
    caseStatus: c.status,
    play: c.playId,
    ...(c.heldOut ? { heldOut: true } : {}),
    ...(c.status === 'open'
      ? { case: { steps }, caseData: packText(JSON.stringify(c)) }
      : {
          caseData: packText(JSON.stringify(finishedCaseHead(c, finishedOn ?? c.openedOn))),
          [FINISHED_CASE]: packText(JSON.stringify(c)),
        }),
    ...(finishedOn ? { finishedOn, expiresAt: epochSeconds(addDays(finishedOn, retentionDays)) } : {}),
  };
}

/** The attribute holding a finished case whole: the one a read that needs only its head leaves behind. */
export const FINISHED_CASE = 'finishedCase';

/**
 * What a finished case still decides, for the nightly evaluation: everything but its steps (a play does not open a
 * second case for the same term, or again within its repeat interval; a lapsed term's line keys tell a renewal),
 * with only the email steps that may still hold a day of its admin (scheduled or sent, due on or after the day it
 * finished). The rest of its steps were history; a finished case is never written back from this.
 */
function finishedCaseHead(c: Case, finishedOn: IsoDate): Case {
  return {
    ...c,
    steps: c.steps.filter(
      (step) =>
        step.kind === 'email' &&
        (step.status === 'scheduled' || step.status === 'done') &&
        step.dueOn >= finishedOn,
    ),
  };
}

/**
 * The case an item holds, with each step's status and day as last updated in place; a finished case read without
 * `finishedCase` is its head (finishedCaseHead).
 */
export function caseOf(item: Record<string, unknown>): Case {
  const stored = isPacked(item[FINISHED_CASE])
    ? item[FINISHED_CASE]
    : isPacked(item.caseData)
      ? item.caseData
      : item.caseJson;
  if (!isPacked(stored) && typeof stored !== 'string') return item.case as Case;
  const c = JSON.parse(unpackText(stored)) as Case;
  const live = (item.case as { steps?: LiveStep[] } | undefined)?.steps ?? [];
  for (const [i, step] of c.steps.entries()) {
    const now = live[i];
    if (now) {
      step.status = now.status;
      step.dueOn = now.dueOn;
    }
  }
  return c;
}
