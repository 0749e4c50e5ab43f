// Waiting on the local run's virtual clock. A sender pacing its sends sleeps until its turn; here that moves the
// clock instead of the run waiting, so pacing costs no wall time. Virtual time stands still while a sender is at
// work (reading DynamoDB, rendering) and moves only when every sender at work is asleep: then the earliest sleeper
// wakes, the clock at its wake time. So a sender is never overtaken by time it spent on real I/O, and sends that
// several senders paced land at their turns. On this clock a sender handles one step at a time and ties wake in
// the senders' order, so a run gives every step the same time whatever order real I/O completes in.

export interface MovableClock {
  now(): number;
  /** Moves the clock on to `at` (never back). */
  advanceTo(at: number): void;
}

/** One sender on the timeline: its sleep, and whether it is at work (then time waits for it to sleep). */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Set while the sender handles a batch; time moves only when every sender at work has a sleep pending. */
  working: boolean;
}

interface Pending {
  wake: number;
  /** Ties go to the sender that joined first: a run wakes its senders in the same order every time. */
  sender: number;
  order: number;
  owner: SleeperState;
  resolve: () => void;
}

interface SleeperState extends Sleeper {
  index: number;
  pending: number;
}

export class VirtualTimeline {
  private readonly sleepers: SleeperState[] = [];
  private readonly pending: Pending[] = [];
  private order = 0;
  private scheduled = false;

  constructor(private readonly clock: MovableClock) {}

  /** A new sender on this timeline. */
  join(): Sleeper {
    const timeline = this;
    let working = false;
    const state: SleeperState = {
      index: this.sleepers.length,
      pending: 0,
      get working() {
        return working;
      },
      set working(value: boolean) {
        working = value;
        timeline.schedule();
      },
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          state.pending++;
          this.pending.push({
            wake: this.clock.now() + Math.max(0, ms),
            sender: state.index,
            order: this.order++,
            owner: state,
            resolve,
          });
          this.schedule();
        }),
    };
    this.sleepers.push(state);
    return state;
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.wakeNext());
  }

  private wakeNext(): void {
    this.scheduled = false;
    // A sender at work without a pending sleep may still ask for an earlier turn: time waits for it.
    if (this.sleepers.some((s) => s.working && s.pending === 0)) return;
    this.pending.sort((a, b) => a.wake - b.wake || a.sender - b.sender || a.order - b.order);
    const next = this.pending.shift();
    if (!next) return;
    next.owner.pending--;
    this.clock.advanceTo(next.wake);
    next.resolve();
    this.schedule();
  }
}

/** A clock of its own, from `start`, with its timeline: for tests of what paces itself. */
export function virtualClock(start = 0) {
  let at = start;
  const clock: MovableClock = {
    now: () => at,
    advanceTo: (to) => {
      at = Math.max(at, to);
    },
  };
  const sleeper = new VirtualTimeline(clock).join();
  return { ...clock, sleep: (ms: number) => sleeper.sleep(ms) };
}
