import { localTimeToUtc } from '../lambdas/domain/delivery/sendTime';
import type { OneTimeSchedule, Scheduler } from '../lambdas/ports/scheduler';

interface Pending {
  name: string;
  at: Date;
  payload: Record<string, unknown>;
}

/**
 * EventBridge Scheduler as a virtual clock, behind the same port as the real adapter: a one-time schedule fires
 * when the clock passes its wall time in its zone, once, and is then deleted (ActionAfterCompletion DELETE).
 */
export class VirtualScheduler implements Scheduler {
  private readonly pending = new Map<string, Pending>();

  async scheduleOnce(schedule: OneTimeSchedule): Promise<'created' | 'already-scheduled'> {
    if (this.pending.has(schedule.name)) return 'already-scheduled';
    this.pending.set(schedule.name, {
      name: schedule.name,
      at: localTimeToUtc(schedule.date, schedule.time, schedule.timeZone),
      payload: schedule.payload,
    });
    return 'created';
  }

  async cancel(name: string): Promise<'deleted' | 'not-found'> {
    return this.pending.delete(name) ? 'deleted' : 'not-found';
  }

  /** Removes and returns the schedules due strictly before `until`, earliest first. */
  takeDueBefore(until: Date): Pending[] {
    const due = [...this.pending.values()]
      .filter((p) => p.at < until)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.name < b.name ? -1 : 1));
    for (const p of due) this.pending.delete(p.name);
    return due;
  }

  get size(): number {
    return this.pending.size;
  }
}
