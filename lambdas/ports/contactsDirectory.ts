import type { ContactRow } from '../domain/contacts/contactRow';

/** One upload of the contacts directory: which file, and when it reached the bucket (the latest upload wins). */
export interface ContactsUpload {
  fileId: string;
  key: string;
  uploadedAt: Date;
}

/** The reseller's contacts directory: the customers of the latest contacts upload, one contact each. */
export interface ContactsDirectory {
  /**
   * Makes an upload the directory, replacing the previous one whole, unless a later upload already is the
   * directory ('superseded': nothing of this one is kept). Repeating it for the same upload changes nothing.
   */
  replace(upload: ContactsUpload, contacts: readonly ContactRow[]): Promise<'current' | 'superseded'>;
  /** The directory's contacts of these customers; customers it does not list are absent. */
  contactsOf(customerIds: readonly string[]): Promise<Map<string, ContactRow>>;
}
