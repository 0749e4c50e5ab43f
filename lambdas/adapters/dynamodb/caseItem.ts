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
 * (`case.steps[i].status`). A finished case changes no more, so it keeps its steps in `caseData` only: every
 * night's scan reads every case, and most of them are finished. `caseStatus`, `finishedOn`, `play` and `heldOut`
 * are there to filter on: the digests leave cases finished long ago behind, server-side.
 *
 * Items written as one map, or with the JSON unpacked in `caseJson`, still read, and the same paths update them.
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
    ...(c.status === 'open' ? { case: { steps } } : {}),
    caseData: packText(JSON.stringify(c)),
    ...(finishedOn ? { finishedOn, expiresAt: epochSeconds(addDays(finishedOn, retentionDays)) } : {}),
  };
}

/** The case an item holds, with each step's status and day as last updated in place. */
export function caseOf(item: Record<string, unknown>): Case {
  const stored = isPacked(item.caseData) ? item.caseData : item.caseJson;
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
