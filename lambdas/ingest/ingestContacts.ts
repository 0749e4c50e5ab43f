import { createHash } from 'node:crypto';
import { readContacts } from '../domain/contacts/readContacts';
import { SnapshotFileError } from '../domain/snapshot/errors';
import type { RowRejection } from '../domain/snapshot/reader';
import type { ContactsDirectory } from '../ports/contactsDirectory';
import type { SnapshotBucket } from '../ports/snapshotBucket';

export interface ContactsIngestSettings {
  contactsPrefix: string;
  reportPrefix: string;
}

export interface ContactsIngestDependencies {
  bucket: SnapshotBucket;
  directory: ContactsDirectory;
  settings: ContactsIngestSettings;
}

/** What a contacts upload did; the same goes into its report under `reports/`. */
export interface ContactsOutcome {
  status: 'current' | 'superseded' | 'rejected';
  key: string;
  reportKey: string;
  rows: number;
  accepted: number;
  rejected: RowRejection[];
  error?: string;
}

/** `contacts/directory.csv` reports to `reports/contacts/directory.csv.json`, beside the snapshots' reports. */
export function contactsReportKeyFor(key: string, settings: ContactsIngestSettings): string {
  return `${settings.reportPrefix}${key}.json`;
}

/**
 * Ingests one contacts upload: reads it with the snapshot reader's rules, makes its good rows the directory
 * (replacing the previous upload whole; a later upload already in force wins) and leaves a report. The join
 * with the licence rows happens when each snapshot is ingested, so the directory counts from the next snapshot.
 * A file unusable as a whole leaves the directory as it was. Running twice for one upload changes nothing.
 */
export async function ingestContacts(
  deps: ContactsIngestDependencies,
  bucketName: string,
  key: string,
): Promise<ContactsOutcome> {
  const object = await deps.bucket.open(bucketName, key);
  const reportKey = contactsReportKeyFor(key, deps.settings);
  const fileId = createHash('sha256')
    .update(`${bucketName}/${key}#${object.eTag}`)
    .digest('hex')
    .slice(0, 32);
  let outcome: ContactsOutcome;
  try {
    const read = await readContacts(object.body, key.split('/').pop() ?? key);
    const contacts = [...read.contacts.values()].map((entry) => entry.contact);
    const status = await deps.directory.replace({ fileId, key, uploadedAt: object.lastModified }, contacts);
    outcome = { status, key, reportKey, rows: read.rows, accepted: read.accepted, rejected: read.rejected };
  } catch (error) {
    if (!(error instanceof SnapshotFileError)) throw error;
    outcome = {
      status: 'rejected',
      key,
      reportKey,
      rows: 0,
      accepted: 0,
      rejected: [],
      error: error.message,
    };
  }
  const { reportKey: _, ...report } = outcome;
  await deps.bucket.putReport(bucketName, reportKey, { file: key, ...report });
  return outcome;
}
