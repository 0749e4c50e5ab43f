// dynalite in a process of its own: the local run's data store gets the second CPU core instead of sharing one
// with the pipeline. Prints its endpoint and table names as one JSON line, exits on SIGTERM.
import { startDynamo } from './emulators';

const dynamo = await startDynamo();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, tables: dynamo.tables })}\n`);
process.on('SIGTERM', () => {
  void dynamo.close().finally(() => process.exit(0));
});
