import type { IsoDate } from '../domain/dates';
import type { OwnerAction } from '../domain/delivery/actionToken';

/** A customer an owner paused: no customer email and no task until the day after `until`. */
export interface CustomerPause {
  customerId: string;
  until: IsoDate;
  by: string;
}

/** One owner action, as the team digest reports it. */
export interface ActionRecord {
  action: OwnerAction;
  by: string;
  customerId: string;
  caseId: string | null;
  taskId: string | null;
  /** The owner of the task acted on (the task's recipient), or who paused the customer. */
  owner: string;
  at: string;
}

export interface OwnerActionBook {
  pause(pause: CustomerPause, at: Date): Promise<void>;
  /** 'not-paused' when there was no pause to lift. */
  resume(customerId: string): Promise<'resumed' | 'not-paused'>;
  /** The pause in force on `today`, if any. */
  pauseOf(customerId: string, today: IsoDate): Promise<CustomerPause | null>;
  /**
   * Spends a link: 'first' the first time a token is used, 'used' ever after, so a replayed link changes nothing.
   * `expiresOn`: the day after which the token is refused anyway, when its record may go.
   */
  spend(tokenId: string, expiresOn: IsoDate, at: Date): Promise<'first' | 'used'>;
  /** Gives a token back when the action it was spent on failed, so a second try can act. */
  unspend(tokenId: string): Promise<void>;
  record(action: ActionRecord): Promise<void>;
  /** Actions recorded on the days from `from` to `until`, oldest first. */
  recordedBetween(from: IsoDate, until: IsoDate): Promise<ActionRecord[]>;
}
