import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { addDays, type IsoDate } from '../../domain/dates';
import type { ActionRecord, CustomerPause, OwnerActionBook } from '../../ports/ownerActions';
import { mapWithConcurrency } from '../../shared/concurrency';
import { epochSeconds, keys } from './tableDesign';

/**
 * Pauses live beside the customer's state in the portfolio table (the step reads one by key); spent tokens and
 * the action records live in the activity table, the records by month for the team digest.
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

  /** Set once this container has made sure the layout's starting day is stored. */
  private byMonthMarked = false;
  /** The layout's starting day, once read. */
  private layoutSince: IsoDate | undefined;

  /**
   * Kept by month, so the team digest's seven days are one Query (two across a month's turn) rather than seven.
   * The first record so kept also stores the day from which every record is (conditional, once for the table).
   */
  async record(action: ActionRecord): Promise<void> {
    const day = action.at.slice(0, 10) as IsoDate;
    if (!this.byMonthMarked) {
      // The day after: on the day of the upgrade an instance of the version before may still be recording by day.
      await this.client
        .send(
          new PutCommand({
            TableName: this.activityTable,
            Item: { ...keys.actionsByMonth(), entity: 'actions-layout', since: addDays(day, 1) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
      this.byMonthMarked = true;
    }
    await this.client.send(
      new PutCommand({
        TableName: this.activityTable,
        Item: {
          ...keys.actions(day.slice(0, 7), action.at, randomUUID()),
          entity: 'action',
          ...action,
          expiresAt: epochSeconds(addDays(day, this.retentionDays)),
        },
      }),
    );
  }

  /**
   * The records of the days from `from` to `until`, oldest first: a Query per month the days touch, and for days
   * before the layout's starting day (the week after an upgrade) a Query per day of the version before's layout.
   */
  async recordedBetween(from: IsoDate, until: IsoDate): Promise<ActionRecord[]> {
    const months: string[] = [];
    for (
      let month = from.slice(0, 7);
      month <= until.slice(0, 7);
      month = addDays(`${month}-28` as IsoDate, 7).slice(0, 7)
    )
      months.push(month);
    const [marker, byMonth] = await Promise.all([
      this.layoutSince ?? this.readLayoutSince(),
      Promise.all(months.map((month) => this.query(keys.actions(month, '', '').pk, from, `${until}~`))),
    ]);
    const since = marker ?? addDays(until, 1);
    const days: IsoDate[] = [];
    for (let day = from; day <= until && day < since; day = addDays(day, 1)) days.push(day);
    const byDay = await mapWithConcurrency(days, days.length, (day) => this.query(keys.dayActions(day).pk));
    // ISO times sort as text: one order whichever layout a record came from.
    return [...byDay.flat(), ...byMonth.flat()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** The layout's starting day: written once and never changed (a conditional put), so once known it is kept. */
  private async readLayoutSince(): Promise<IsoDate | undefined> {
    const read = await this.client.send(
      new GetCommand({ TableName: this.activityTable, Key: keys.actionsByMonth(), ConsistentRead: true }),
    );
    this.layoutSince = read.Item?.since as IsoDate | undefined;
    return this.layoutSince;
  }

  private async query(pk: string, from?: string, to?: string): Promise<ActionRecord[]> {
    const records: ActionRecord[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.activityTable,
        KeyConditionExpression: from ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(from ? { ':from': from, ':to': to } : {}) },
      },
    ))
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...record } = item;
        records.push(record as ActionRecord);
      }
    return records;
  }
}

function pauseIn(item: Record<string, unknown> | undefined, today: IsoDate): CustomerPause | null {
  if (!item || typeof item.until !== 'string' || item.until < today) return null;
  return { customerId: String(item.customerId), until: item.until, by: String(item.by) };
}
