import { type DynamoDBDocumentClient, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, type IsoDate } from '../../domain/dates';
import type { PlannedEmails } from '../../ports/plannedEmails';
import { epochSeconds, keys } from './tableDesign';

/** A quarter's count is kept a while after its day, for a look at what went out; then TTL removes it. */
const KEEP_DAYS = 30;

/**
 * One item per quarter hour under one partition of the portfolio table (`PLANNED_EMAILS` / `2026-12-01T08:30Z`,
 * `emails` = n), so the days ahead are one query. Adding is an atomic ADD: shards of one night add at once.
 */
export class DynamoPlannedEmails implements PlannedEmails {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async countsFrom(from: IsoDate, days: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.portfolioTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.plannedEmails(from).pk,
          ':from': from,
          // Keys are `YYYY-MM-DDTHH:MMZ`: every quarter of the last day sorts before the next day.
          ':to': addDays(from, days),
        },
        ConsistentRead: true,
      },
    ))
      for (const item of page.Items ?? []) counts.set(String(item.sk), Number(item.emails ?? 0));
    return counts;
  }

  async add(quarter: string, count: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.portfolioTable,
        Key: keys.plannedEmails(quarter),
        UpdateExpression: 'ADD emails :n SET entity = :entity, expiresAt = :expires',
        ExpressionAttributeValues: {
          ':n': count,
          ':entity': 'planned-emails',
          ':expires': epochSeconds(addDays(quarter.slice(0, 10), KEEP_DAYS)),
        },
      }),
    );
  }

  async remove(quarter: string, count: number): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.portfolioTable,
          Key: keys.plannedEmails(quarter),
          UpdateExpression: 'ADD emails :n',
          // Only a quarter that has a count: a count never starts below zero.
          ConditionExpression: 'attribute_exists(emails)',
          ExpressionAttributeValues: { ':n': -count },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}
