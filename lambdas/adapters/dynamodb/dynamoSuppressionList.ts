import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeAddress } from '../../domain/address';
import type { SuppressionList, SuppressionReason } from '../../ports/suppressionList';
import { keys } from './tableDesign';

/** Suppression items live in the portfolio table, so the nightly scan sees them with the customers. */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async isSuppressed(email: string): Promise<boolean> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.portfolioTable,
        Key: keys.suppression(email),
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  async suppress(email: string, reason: SuppressionReason, at: Date): Promise<void> {
    // The first reason stays: a later unsubscribe click does not hide that the address bounced.
    await this.client
      .send(
        new PutCommand({
          TableName: this.portfolioTable,
          Item: {
            ...keys.suppression(email),
            entity: 'suppression',
            email: normalizeAddress(email),
            reason,
            at: at.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}
