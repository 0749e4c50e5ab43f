import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudFormationClient, stackOutput } from '../lambdas/adapters/cloudformation/stackOutputs';
import { readContacts } from '../lambdas/domain/contacts/readContacts';
import { SnapshotFileError, validateSnapshot } from '../lambdas/domain/snapshot/reader';
import { ReadingSettingsError } from '../lambdas/domain/snapshot/readingSettings';
import { type CliCommand, type CliIo, UsageError } from './command';
import { READING_OPTIONS, READING_USAGE, readingSettingsOf } from './snapshotOptions';

export const DEFAULT_STACK = 'ClmAutopilot';
export const BUCKET_OUTPUT = 'SnapshotBucketName';

const USAGE = `Usage: clm upload FILE [--stack NAME] [--region REGION] [reading options]
       clm upload --contacts CONTACTS [--stack NAME] [--region REGION]

Checks a snapshot file locally, then puts it into the deployed stack's snapshot bucket (snapshots/FILE).
With --contacts, checks and uploads a contacts directory file instead (contacts/CONTACTS: one row per customer,
customer_id, customer_name, admin_email, admin_name, owner_email, locale, timezone); it replaces the previous
directory and is joined with each snapshot ingested from then on.
The bucket is found from the stack's CloudFormation output ${BUCKET_OUTPUT}. AWS credentials come from the usual
places (environment, profile, SSO).

Options:
  --stack NAME           the CloudFormation stack (default ${DEFAULT_STACK})
  --region REGION        the stack's region (default: your AWS configuration)
  --contacts CONTACTS    upload a contacts directory file (no FILE)
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
          contacts: { type: 'string' },
          ...READING_OPTIONS,
        },
      });
      const [file, ...extra] = positionals;
      if (values.contacts) {
        if (positionals.length > 0) throw new UsageError('give either FILE or --contacts CONTACTS, not both');
        return uploadContacts(values.contacts, values, io);
      }
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
      if (!(await put(file, key, values, io))) return 2;
      return rejected > 0 ? 1 : 0;
    },
  };

  /** Puts a checked file into the stack's bucket; false (and one line saying why) when it could not. */
  async function put(
    file: string,
    key: string,
    values: { stack: string; region?: string | undefined },
    io: CliIo,
  ): Promise<boolean> {
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
      return false;
    }
    io.out(`Uploaded to s3://${bucket}/${key}`);
    const report = key.startsWith('contacts/') ? `reports/${key}.json` : `reports/${basename(file)}.json`;
    io.out(`The ingest report will appear at s3://${bucket}/${report}`);
    return true;
  }

  /** Checks a contacts directory file as ingestion reads it, then uploads it under contacts/. */
  async function uploadContacts(
    file: string,
    values: { stack: string; region?: string | undefined },
    io: CliIo,
  ): Promise<number> {
    let rejected: number;
    try {
      const read = await readContacts(createReadStream(file), basename(file));
      for (const r of read.rejected) io.err(`${file}:${r.line}:${r.column ?? '-'} ${r.reason}`);
      io.out(`${file}: ${read.rows} rows, ${read.accepted} customers, ${read.rejected.length} rejected`);
      rejected = read.rejected.length;
    } catch (error) {
      if (error instanceof SnapshotFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        io.err(`${file}: ${(error as Error).message}\nNot uploaded.`);
        return 2;
      }
      throw error;
    }
    if (!(await put(file, `contacts/${basename(file)}`, values, io))) return 2;
    io.out(
      'It replaces the previous contacts directory and is joined with each snapshot ingested from now on.',
    );
    return rejected > 0 ? 1 : 0;
  }
}

export const uploadCommand = createUploadCommand((region) => ({
  s3: new S3Client(region ? { region } : {}),
  cloudFormation: new CloudFormationClient(region ? { region } : {}),
}));
