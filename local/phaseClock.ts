// Where a local run's time goes: wall time by phase of the night, and within each phase the time a request to
// each emulator was in flight. Work at the same moment overlaps, so an emulator's share is the union of its
// requests' intervals, never more than the phase's own time.

export const PHASES = ['setup', 'ingest', 'evaluate', 'steps', 'digests', 'reactions', 'outbox'] as const;
export type Phase = (typeof PHASES)[number];

/** The local stand-ins whose share of each phase is measured. */
export const EMULATORS = ['dynalite', 's3rver', 'ses', 'virtualAws'] as const;
export type Emulator = (typeof EMULATORS)[number];

export interface PhaseTime {
  /** Wall time in the phase, ms. */
  ms: number;
  /** Wall time with at least one request to the emulator in flight, ms, and the requests made. */
  emulators: Record<Emulator, { ms: number; requests: number }>;
}

export type PhaseTimes = Record<Phase, PhaseTime>;

interface SdkClientStack {
  middlewareStack: {
    add: (
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize' | 'deserialize'; priority: 'high' | 'low'; name: string },
    ) => void;
  };
}

export class PhaseClock {
  readonly times: PhaseTimes = Object.fromEntries(
    PHASES.map((phase) => [
      phase,
      {
        ms: 0,
        emulators: Object.fromEntries(EMULATORS.map((e) => [e, { ms: 0, requests: 0 }])),
      },
    ]),
  ) as PhaseTimes;
  private current: Phase = 'setup';
  private since = performance.now();
  private readonly inFlight = new Map<Emulator, { count: number; since: number }>(
    EMULATORS.map((e) => [e, { count: 0, since: 0 }]),
  );

  /** Closes the phase running and starts `phase` (time in flight so far goes to the phase it was spent in). */
  enter(phase: Phase): void {
    const now = performance.now();
    this.times[this.current].ms += now - this.since;
    for (const [emulator, flight] of this.inFlight) {
      if (flight.count === 0) continue;
      this.times[this.current].emulators[emulator].ms += now - flight.since;
      flight.since = now;
    }
    this.current = phase;
    this.since = now;
  }

  /** Runs `work` as `phase`, then returns to the phase that was running. */
  async during<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    const previous = this.current;
    this.enter(phase);
    try {
      return await work();
    } finally {
      this.enter(previous);
    }
  }

  /** Closes the running phase; the times are complete after this. */
  stop(): PhaseTimes {
    this.enter(this.current);
    return this.times;
  }

  /** Runs one request to `emulator`, counting it and its time in flight. */
  async track<T>(emulator: Emulator, request: () => Promise<T>): Promise<T> {
    const flight = this.inFlight.get(emulator)!;
    this.times[this.current].emulators[emulator].requests++;
    if (flight.count++ === 0) flight.since = performance.now();
    try {
      return await request();
    } finally {
      if (--flight.count === 0)
        this.times[this.current].emulators[emulator].ms += performance.now() - flight.since;
    }
  }

  /**
   * Times a client's requests to its emulator: around the HTTP exchange (the emulator's work and the loopback),
   * or, for a service answered in process, around the whole call.
   */
  watch<C>(client: C, emulator: Emulator, around: 'http' | 'call' = 'http'): C {
    (client as unknown as SdkClientStack).middlewareStack.add(
      (next) => (args) => this.track(emulator, () => next(args)),
      around === 'http'
        ? { step: 'deserialize', priority: 'low', name: `phaseClock-${emulator}` }
        : { step: 'initialize', priority: 'high', name: `phaseClock-${emulator}` },
    );
    return client;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "ingest  38.2 s  (24 %)  dynalite 20.1 s (3,200 requests) · s3rver 4.0 s (800)", one line a phase. */
export function phaseTable(times: PhaseTimes): string {
  const total = PHASES.reduce((sum, phase) => sum + times[phase].ms, 0);
  const width = Math.max(...PHASES.map((p) => p.length));
  return PHASES.map((phase) => {
    const { ms, emulators } = times[phase];
    const shares = EMULATORS.filter((e) => emulators[e].requests > 0)
      .map((e) => `${e} ${seconds(emulators[e].ms)} (${emulators[e].requests.toLocaleString('en-US')})`)
      .join(' · ');
    const share = total > 0 ? Math.round((ms / total) * 100) : 0;
    return `${phase.padEnd(width)}  ${seconds(ms).padStart(7)}  ${`(${share} %)`.padStart(6)}  ${shares}`;
  }).join('\n');
}
