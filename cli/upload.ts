import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudFormationClient, stackOutput } from '../lambdas/adapters/cloudformation/stackOutputs';
import { SnapshotFileError, validateSnapshot } from '../lambdas/domain/snapshot/reader';
import { ReadingSettingsError } from '../lambdas/domain/snapshot/readingSettings';
import { type CliCommand, UsageError } from './command';
import { READING_OPTIONS, READING_USAGE, readingSettingsOf } from './snapshotOptions';

export const DEFAULT_STACK = 'ClmAutopilot';
export const BUCKET_OUTPUT = 'SnapshotBucketName';

const USAGE = `Usage: clm upload FILE [--stack NAME] [--region REGION] [reading options]

Checks a snapshot file locally, then puts it into the deployed stack's snapshot bucket (snapshots/FILE).
The bucket is found from the stack's CloudFormation output ${BUCKET_OUTPUT}. AWS credentials come from the usual
places (environment, profile, SSO).

Options:
  --stack NAME           the CloudFormation stack (default ${DEFAULT_STACK})
  --region REGION        the stack's region (default: your AWS configuration)
  -h, --help             show this help

${READING_USAGE}

The reading options check the file here; the stack reads it with the settings it was deployed with, so deploy
with the same ones (e.g. cdk deploy -c exportFormat=NAME -c columnMapping=mapping.json -c dateFormat=DD/MM/YYYY).

Exit codes: 0 uploaded and every row valid, 1 uploaded with some rows rejected, 2 not uploaded.`;

export interface UploadClients {
  s3: S3Client;
  cloudFormation: CloudFormationClient;
}

export function createUploadCommand(clientsFor: (region?: string) => UploadClients): CliCommand {
  return {
    name: 'upload',
    summary: 'check a snapshot file, then upload it to the deployed stack',
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          stack: { type: 'string', default: DEFAULT_STACK },
          region: { type: 'string' },
          ...READING_OPTIONS,
        },
      });
      const [file, ...extra] = positionals;
      if (!file || extra.length > 0) throw new UsageError('give exactly one FILE');

      let rejected: number;
      try {
        const reading = await readingSettingsOf(values);
        const summary = await validateSnapshot(createReadStream(file), {
          fileName: basename(file),
          ...reading,
        });
        if (summary.preset) io.out(`${file}: read as ${summary.preset}`);
        for (const warning of summary.warnings) io.err(`${file}: warning: ${warning}`);
        for (const r of summary.rejected) io.err(`${file}:${r.line}:${r.column ?? '-'} ${r.reason}`);
        io.out(
          `${file}: ${summary.rows} rows, ${summary.accepted} accepted, ${summary.rejected.length} rejected`,
        );
        rejected = summary.rejected.length;
      } catch (error) {
        if (
          error instanceof SnapshotFileError ||
          error instanceof ReadingSettingsError ||
          (error as NodeJS.ErrnoException).code === 'ENOENT'
        ) {
          io.err(`${file}: ${(error as Error).message}\nNot uploaded.`);
          return 2;
        }
        throw error;
      }
      if (
        values.preset ||
        values.mapping ||
        values['date-format'] ||
        values['records-path'] ||
        values['european-numbers']
      ) {
        io.out(
          'Note: the stack reads files with the reading settings it was deployed with: deploy with the same ones, e.g. -c exportFormat=NAME, -c columnMapping=FILE, -c dateFormat=FORMAT, -c recordsPath=PATH, -c europeanNumbers=true.',
        );
      }

      const key = `snapshots/${basename(file)}`;
      let bucket: string;
      try {
        const clients = clientsFor(values.region);
        bucket = await stackOutput(clients.cloudFormation, values.stack, BUCKET_OUTPUT);
        await clients.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: createReadStream(file),
            ContentLength: (await stat(file)).size,
          }),
        );
      } catch (error) {
        // No stack, no credentials, no access: say what AWS said, in one line.
        io.err(`Not uploaded: ${(error as Error).message}`);
        return 2;
      }
      io.out(`Uploaded to s3://${bucket}/${key}`);
      io.out(`The ingest report will appear at s3://${bucket}/reports/${basename(file)}.json`);
      return rejected > 0 ? 1 : 0;
    },
  };
}

export const uploadCommand = createUploadCommand((region) => ({
  s3: new S3Client(region ? { region } : {}),
  cloudFormation: new CloudFormationClient(region ? { region } : {}),
}));
