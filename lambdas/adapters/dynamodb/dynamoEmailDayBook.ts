import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeAddress } from '../../domain/address';
import { addDays, type IsoDate } from '../../domain/dates';
import type { EmailDayBook } from '../../ports/emailDayBook';
import { batchGetAll } from './batchGet';
import { epochSeconds, keys } from './tableDesign';

const DAY_PREFIX = 'day:';
/** How long an address's item outlives its latest booking; steps are planned weeks ahead, not months. */
const KEEP_DAYS = 120;

/**
 * One item per admin address in the portfolio table, one attribute per booked day (`day:2026-11-30` -> customer id).
 * A booking is a conditional update on that attribute, so two shards booking the same admin on the same day
 * cannot both win; the item expires by TTL some months after its latest booking.
 */
export class DynamoEmailDayBook implements EmailDayBook {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async bookedDays(recipients: readonly string[], from: IsoDate): Promise<Map<string, Map<IsoDate, string>>> {
    const addresses = [...new Set(recipients.map((r) => normalizeAddress(r)))];
    // Consistent: shards of the same night book while others read.
    const found = await batchGetAll(
      this.client,
      this.portfolioTable,
      addresses.map((a) => keys.emailDays(a)),
      { consistentRead: true },
    );
    const booked = new Map<string, Map<IsoDate, string>>();
    for (const item of found.items) {
      const days = new Map<IsoDate, string>();
      for (const [name, customerId] of Object.entries(item)) {
        if (!name.startsWith(DAY_PREFIX)) continue;
        const day = name.slice(DAY_PREFIX.length);
        if (day >= from) days.set(day, String(customerId));
      }
      if (days.size > 0) booked.set(String(item.email), days);
    }
    return booked;
  }

  async book(recipient: string, day: IsoDate, customerId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.portfolioTable,
          Key: keys.emailDays(recipient),
          UpdateExpression: 'SET #day = :customer, entity = :entity, email = :email, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#day) OR #day = :customer',
          ExpressionAttributeNames: { '#day': `${DAY_PREFIX}${day}` },
          ExpressionAttributeValues: {
            ':customer': customerId,
            ':entity': 'email-days',
            ':email': normalizeAddress(recipient),
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
}
