// Runs dynalite and s3rver in a process of their own and prints their endpoints as one JSON line, so a test can
// measure its own memory without the emulators' storage in the same heap.
import { startDynamo, startS3 } from '../../local/emulators';

const [dynamo, s3] = await Promise.all([startDynamo(), startS3()]);
process.stdout.write(
  `${JSON.stringify({ dynamo: dynamo.endpoint, s3: s3.endpoint, tables: dynamo.tables, bucket: s3.bucket })}\n`,
);
process.on('SIGTERM', () => {
  void Promise.all([dynamo.close(), s3.close()]).finally(() => process.exit(0));
});
