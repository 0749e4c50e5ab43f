// dynalite in a process of its own: the local run's data store gets the second CPU core instead of sharing one
// with the pipeline. Prints its endpoint and table names as one JSON line, exits on SIGTERM or when its parent
// goes away (stdin closes), so no emulator outlives the command that started it.
import { startDynamo } from './emulators';

const dynamo = await startDynamo();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, tables: dynamo.tables })}\n`);
const stop = () => {
  void dynamo.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
