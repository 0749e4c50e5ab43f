import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUploadCommand } from '../../../cli/upload';
import { type LocalS3, startS3 } from '../../../local/emulators';
import { capture } from '../../helpers/cliIo';
import { csvLine, HEADER } from '../../helpers/snapshotFiles';

const cloudFormation = mockClient(CloudFormationClient);
let s3: LocalS3;
let dir: string;

beforeAll(async () => {
  s3 = await startS3('clm-upload-bucket');
  dir = await mkdtemp(join(tmpdir(), 'clm-upload-'));
});
afterAll(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  cloudFormation.reset();
});

const command = () =>
  createUploadCommand(() => ({
    s3: s3.client,
    cloudFormation: new CloudFormationClient({ region: 'eu-central-1' }),
  }));

describe('clm upload', () => {
  it('validates, finds the bucket from the stack output and uploads under snapshots/', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'ClmAutopilot' }).resolves({
      Stacks: [
        {
          StackName: 'ClmAutopilot',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'SnapshotBucketName', OutputValue: s3.bucket }],
        },
      ],
    });
    const file = join(dir, '2026-11-20.csv');
    const text = `${HEADER}\n${csvLine()}\n${csvLine({ customer_id: 'C2', licenses_assigned: 'x' })}\n`;
    await writeFile(file, text);
    const io = capture();

    // Act
    const code = await command().run([file], io);

    // Assess
    expect(code).toBe(1);
    expect(io.stdout).toContain('2 rows, 1 accepted, 1 rejected');
    expect(io.stdout).toContain(`Uploaded to s3://${s3.bucket}/snapshots/2026-11-20.csv`);
    const stored = await s3.client.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/2026-11-20.csv' }),
    );
    expect(await stored.Body!.transformToString()).toBe(text);
  });

  it('checks a contacts directory file and uploads it under contacts/', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'ClmAutopilot' }).resolves({
      Stacks: [
        {
          StackName: 'ClmAutopilot',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'SnapshotBucketName', OutputValue: s3.bucket }],
        },
      ],
    });
    const file = join(dir, 'directory.csv');
    const text = 'customer_id,admin_email,owner_email\nC1,it@acme.example,rep@reseller.example\nC2,nobody,\n';
    await writeFile(file, text);
    const io = capture();

    // Act
    const code = await command().run(['--contacts', file], io);
    const both = await command()
      .run(['x.csv', '--contacts', file], capture())
      .catch((e: Error) => e.name);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toContain(`${file}:3:admin_email not a valid email address "nobody"`);
    expect(io.stdout).toContain(`Uploaded to s3://${s3.bucket}/contacts/directory.csv`);
    expect(io.stdout).toContain(`s3://${s3.bucket}/reports/contacts/directory.csv.json`);
    const stored = await s3.client.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: 'contacts/directory.csv' }),
    );
    expect(await stored.Body!.transformToString()).toBe(text);
    expect(both).toBe('UsageError');
  });

  it('refuses to upload a file that is unusable as a whole', async () => {
    // Prepare
    const file = join(dir, 'empty.csv');
    await writeFile(file, '');
    const io = capture();

    // Act
    const code = await command().run([file], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr).toContain('the file is empty');
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('says so when the stack has no bucket output', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    const file = join(dir, '2026-11-21.csv');
    await writeFile(file, `${HEADER}\n${csvLine()}\n`);

    const io = capture();

    // Act
    const code = await command().run([file, '--stack', 'Other'], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr).toContain('Not uploaded: stack Other has no output SnapshotBucketName');
  });
});
