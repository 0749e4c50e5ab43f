// Waiting on the local run's virtual clock. A sender pacing its sends sleeps until its turn; here that moves the
// clock instead of the run waiting, so pacing costs no wall time. Sleepers wake one at a time in the order of
// their wake times, each moving the clock to its own, so sends several senders paced land at their turns.

export interface MovableClock {
  now(): number;
  /** Moves the clock on to `at` (never back). */
  advanceTo(at: number): void;
}

/** A sleep on the clock: resolves once every earlier sleeper has woken, with the clock at its wake time. */
export function virtualSleep(clock: MovableClock): (ms: number) => Promise<void> {
  const sleepers: { wake: number; order: number; resolve: () => void }[] = [];
  let order = 0;
  let scheduled = false;
  const wakeNext = () => {
    scheduled = false;
    sleepers.sort((a, b) => a.wake - b.wake || a.order - b.order);
    const next = sleepers.shift();
    if (!next) return;
    clock.advanceTo(next.wake);
    next.resolve();
    // The next one wakes after whatever this wake-up set going has had its turn.
    if (sleepers.length > 0) {
      scheduled = true;
      setImmediate(wakeNext);
    }
  };
  return (ms) =>
    new Promise<void>((resolve) => {
      sleepers.push({ wake: clock.now() + Math.max(0, ms), order: order++, resolve });
      if (!scheduled) {
        scheduled = true;
        setImmediate(wakeNext);
      }
    });
}

/** A clock of its own, from `start`, with its sleep: for tests of what paces itself. */
export function virtualClock(start = 0) {
  let at = start;
  const clock: MovableClock = {
    now: () => at,
    advanceTo: (to) => {
      at = Math.max(at, to);
    },
  };
  return { ...clock, sleep: virtualSleep(clock) };
}
