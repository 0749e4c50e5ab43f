/** The whole file cannot be used (empty, not a table, a required column missing): nothing in it is ingested. */
export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
  readonly line: number | null;
  readonly column: string | null;

  constructor(message: string, options: { line?: number; column?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.line = options.line ?? null;
    this.column = options.column ?? null;
  }
}
