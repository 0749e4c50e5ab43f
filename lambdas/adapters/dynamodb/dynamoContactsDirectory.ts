import { type DynamoDBDocumentClient, GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactRow } from '../../domain/contacts/contactRow';
import type { ContactsDirectory, ContactsUpload } from '../../ports/contactsDirectory';
import { batchGetAll } from './batchGet';
import { batchWriteAll } from './batchWrite';
import { keys } from './tableDesign';

/**
 * The directory in the portfolio table: each upload's contacts under `CONTACTS#<fileId>` (one item a customer),
 * and one `CONTACTS`/`CURRENT` item naming the upload in force. An upload is written whole before it is named, so
 * a reader never sees half a directory; the upload it replaces is deleted afterwards.
 */
export class DynamoContactsDirectory implements ContactsDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async replace(upload: ContactsUpload, contacts: readonly ContactRow[]): Promise<'current' | 'superseded'> {
    await batchWriteAll(
      this.client,
      this.portfolioTable,
      contacts.map((contact) => ({
        PutRequest: {
          Item: { ...keys.contact(upload.fileId, contact.customerId), entity: 'contact', contact },
        },
      })),
    );
    let previous: string | undefined;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.portfolioTable,
          Key: keys.contactsDirectory(),
          UpdateExpression: 'SET entity = :entity, fileId = :fileId, #key = :key, uploadedAt = :at',
          // An older upload whose event arrives late must not replace a newer directory.
          ConditionExpression: 'attribute_not_exists(pk) OR uploadedAt <= :at',
          ExpressionAttributeNames: { '#key': 'key' },
          ExpressionAttributeValues: {
            ':entity': 'contacts-directory',
            ':fileId': upload.fileId,
            ':key': upload.key,
            ':at': upload.uploadedAt.toISOString(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      previous = result.Attributes?.fileId as string | undefined;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      await this.deleteUpload(upload.fileId);
      return 'superseded';
    }
    if (previous && previous !== upload.fileId) await this.deleteUpload(previous);
    return 'current';
  }

  async contactsOf(customerIds: readonly string[]): Promise<Map<string, ContactRow>> {
    const found = new Map<string, ContactRow>();
    if (customerIds.length === 0) return found;
    const current = await this.client.send(
      new GetCommand({
        TableName: this.portfolioTable,
        Key: keys.contactsDirectory(),
        ConsistentRead: true,
      }),
    );
    const fileId = current.Item?.fileId as string | undefined;
    if (!fileId) return found;
    const { items } = await batchGetAll(
      this.client,
      this.portfolioTable,
      customerIds.map((customerId) => keys.contact(fileId, customerId)),
      { consistentRead: true },
    );
    for (const item of items) {
      const contact = item.contact as ContactRow;
      found.set(contact.customerId, contact);
    }
    return found;
  }

  /** Removes one upload's contacts (a replaced or a superseded upload). */
  private async deleteUpload(fileId: string): Promise<void> {
    const { pk } = keys.contact(fileId, '');
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.portfolioTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
      },
    ))
      await batchWriteAll(
        this.client,
        this.portfolioTable,
        (page.Items ?? []).map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
      );
  }
}
