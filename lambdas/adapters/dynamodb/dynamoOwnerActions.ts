import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { addDays, type IsoDate } from '../../domain/dates';
import type { ActionRecord, CustomerPause, OwnerActionBook } from '../../ports/ownerActions';
import { mapWithConcurrency } from '../../shared/concurrency';
import { epochSeconds, keys } from './tableDesign';

/**
 * Pauses live beside the customer's state in the portfolio table (the step reads one by key); spent tokens and
 * the action records live in the activity table, the records by day for the team digest.
 */
export class DynamoOwnerActions implements OwnerActionBook {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
    private readonly activityTable: string,
    private readonly retentionDays: number,
  ) {}

  async pause(pause: CustomerPause, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.portfolioTable,
        Item: {
          ...keys.pause(pause.customerId),
          entity: 'pause',
          ...pause,
          pausedAt: at.toISOString(),
          expiresAt: epochSeconds(addDays(pause.until, 1)),
        },
      }),
    );
  }

  async resume(customerId: string): Promise<'resumed' | 'not-paused'> {
    const result = await this.client.send(
      new DeleteCommand({
        TableName: this.portfolioTable,
        Key: keys.pause(customerId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes ? 'resumed' : 'not-paused';
  }

  async pauseOf(customerId: string, today: IsoDate): Promise<CustomerPause | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.portfolioTable, Key: keys.pause(customerId), ConsistentRead: true }),
    );
    return pauseIn(result.Item, today);
  }

  async spend(tokenId: string, expiresOn: IsoDate, at: Date): Promise<'first' | 'used'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.activityTable,
          Item: {
            ...keys.actionToken(tokenId),
            entity: 'action-token',
            spentAt: at.toISOString(),
            expiresAt: epochSeconds(addDays(expiresOn, 1)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'first';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'used';
      throw error;
    }
  }

  async unspend(tokenId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.activityTable, Key: keys.actionToken(tokenId) }),
    );
  }

  async record(action: ActionRecord): Promise<void> {
    const day = action.at.slice(0, 10);
    await this.client.send(
      new PutCommand({
        TableName: this.activityTable,
        Item: {
          ...keys.actions(day, action.at, randomUUID()),
          entity: 'action',
          ...action,
          expiresAt: epochSeconds(addDays(day, this.retentionDays)),
        },
      }),
    );
  }

  /** The records of each day from `from` to `until`, a Query per day, the days at once, in date order. */
  async recordedBetween(from: IsoDate, until: IsoDate): Promise<ActionRecord[]> {
    const days: IsoDate[] = [];
    for (let day = from; day <= until; day = addDays(day, 1)) days.push(day);
    const byDay = await mapWithConcurrency(days, days.length, async (day) => {
      const records: ActionRecord[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.activityTable,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.actions(day, '', '').pk },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...record } = item;
          records.push(record as ActionRecord);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return records;
    });
    return byDay.flat();
  }
}

function pauseIn(item: Record<string, unknown> | undefined, today: IsoDate): CustomerPause | null {
  if (!item || typeof item.until !== 'string' || item.until < today) return null;
  return { customerId: String(item.customerId), until: item.until, by: String(item.by) };
}
