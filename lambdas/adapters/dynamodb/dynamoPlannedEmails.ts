import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, type IsoDate } from '../../domain/dates';
import type { PlannedEmails } from '../../ports/plannedEmails';
import { epochSeconds, keys } from './tableDesign';

/** A day's count is kept a while after the day, for a look at what went out; then TTL removes it. */
const KEEP_DAYS = 30;

/**
 * One item per day under one partition of the portfolio table (`PLANNED_EMAILS` / `2026-12-01`, `emails` = n), so
 * the days ahead are one query. Adding is a conditional ADD: two shards planning the same day cannot take more than
 * the quota leaves between them.
 */
export class DynamoPlannedEmails implements PlannedEmails {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async countsFrom(from: IsoDate, days: number): Promise<Map<IsoDate, number>> {
    const counts = new Map<IsoDate, number>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.portfolioTable,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.plannedEmails(from).pk,
            ':from': from,
            ':to': addDays(from, days - 1),
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) counts.set(String(item.sk), Number(item.emails ?? 0));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  async add(day: IsoDate, count: number, limit: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.portfolioTable,
          Key: keys.plannedEmails(day),
          UpdateExpression: 'ADD emails :n SET entity = :entity, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(emails) OR emails <= :most',
          ExpressionAttributeValues: {
            ':n': count,
            ':most': limit - count,
            ':entity': 'planned-emails',
            ':expires': epochSeconds(addDays(day, KEEP_DAYS)),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async remove(day: IsoDate, count: number): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.portfolioTable,
          Key: keys.plannedEmails(day),
          UpdateExpression: 'ADD emails :n',
          // Only a day that has a count: a count never starts below zero.
          ConditionExpression: 'attribute_exists(emails)',
          ExpressionAttributeValues: { ':n': -count },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}
