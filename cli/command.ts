/** One `clm` sub-command. `run` returns the process exit code; it never calls process.exit itself. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Thrown for bad arguments: the dispatcher prints the message and the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
