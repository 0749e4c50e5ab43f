import { type CliCommand, type CliIo, processIo, UsageError } from './command';
import { ownerActionCommands } from './ownerActions';
import { simulateCommand } from './simulate';
import { uploadCommand } from './upload';
import { validateCommand } from './validate';

// Every sub-command, in the order `clm --help` lists them.
const COMMANDS: CliCommand[] = [
  validateCommand,
  uploadCommand,
  simulateCommand,
  ownerActionCommands.task,
  ownerActionCommands.customer,
];

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: clm <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `clm <command> --help` for the options of a command.',
  ].join('\n');
}

/** `commands` is for tests that give a command its clients (e.g. AWS clients pointed at emulators). */
export async function main(
  argv: string[],
  io: CliIo = processIo,
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`clm: unknown command '${name}'\n\n${overview(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`clm ${command.name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    // node:util parseArgs: an unknown option, a missing value, a stray argument.
    if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
      const line = (error as Error).message.split('\n')[0]!.replace(/\. To specify .*$/, '');
      io.err(`clm ${command.name}: ${line}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
}
