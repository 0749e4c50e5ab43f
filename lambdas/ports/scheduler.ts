import type { IsoDate } from '../domain/dates';
import type { ClockTime } from '../domain/delivery/sendTime';

/** A one-time timer: at this wall-clock time in this zone, hand this payload to the step function (via the send queue). */
export interface OneTimeSchedule {
  name: string;
  date: IsoDate;
  time: ClockTime;
  timeZone: string;
  payload: Record<string, unknown>;
}

export interface Scheduler {
  /** 'already-scheduled' when a schedule of that name exists: a retry or a second evaluation, not an error. */
  scheduleOnce(schedule: OneTimeSchedule): Promise<'created' | 'already-scheduled'>;
  /** 'not-found' when it already fired (and deleted itself) or was never made. */
  cancel(name: string): Promise<'deleted' | 'not-found'>;
}
