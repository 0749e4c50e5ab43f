import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CustomerState, UsagePoint } from '../../domain/customer';
import type { IsoDate } from '../../domain/dates';
import type { Case } from '../../domain/engine/cases';
import type { CustomerPause } from '../../ports/ownerActions';
import type {
  Claim,
  LoadOptions,
  MessageLedger,
  PortfolioSnapshot,
  PortfolioStore,
  StepContext,
} from '../../ports/portfolioStore';
import { mapWithConcurrency } from '../../shared/concurrency';
import { batchGetAll } from './batchGet';
import { batchWriteAll } from './batchWrite';
import { caseItem, caseOf, FINISHED_CASE } from './caseItem';
import { type CustomerItem, historyOf, stateOf } from './customerItem';
import { keys } from './tableDesign';

/**
 * Every attribute a load uses, but two it may leave behind: a history stored on its own (items written before it
 * was packed with the state) and a finished case's whole JSON (caseItem.ts).
 */
const LOADED = [
  'pk',
  'sk',
  'entity',
  'stateAndHistory',
  'state',
  'firstSeen',
  'lastSnapshotDate',
  'case',
  'caseData',
  'caseJson',
  'email',
  'latestSnapshotDate',
  'expiresAt',
  // A pause item's.
  'customerId',
  'until',
  'by',
];

/** The projection of a load that leaves something behind; none when it reads every attribute. */
function projectionOf(options: LoadOptions) {
  const head = options.finishedCases === 'head';
  if (options.history !== false && !head) return undefined;
  const names = [
    ...LOADED,
    ...(options.history === false ? [] : ['history']),
    ...(head ? [] : [FINISHED_CASE]),
  ];
  return {
    ProjectionExpression: names.map((name) => `#${name}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
  };
}

interface ScanOptions extends LoadOptions {
  /** Only the cases of these plays. */
  casesOfPlays?: readonly string[];
}

/**
 * The projection and filter of a load's scan. DynamoDB applies the filter after reading (a Scan is billed for every
 * item it reads), but the items it drops are neither sent nor decoded: the quota's planned-email counts and the
 * admins' email days (a third of the table's items), items past their expiry that TTL has not deleted yet, and for
 * the digests the cases finished long ago. Cases stored before `caseStatus` was written always pass.
 */
function scanExpressions(options: ScanOptions, nowSeconds: number) {
  const names: Record<string, string> = { '#entity': 'entity', '#expiresAt': 'expiresAt' };
  const values: Record<string, unknown> = { ':now': nowSeconds };
  // The entities a load uses; a shard reads the suppressions and the portfolio date by key instead.
  const entities = options.casesOfPlays
    ? ['case']
    : options.shard
      ? ['customer', 'case', 'pause']
      : ['customer', 'case', 'pause', 'suppression', 'portfolio'];
  const wanted = entities.map((entity, i) => {
    values[`:entity${i}`] = entity;
    return `:entity${i}`;
  });
  const conditions = [
    `#entity IN (${wanted.join(', ')})`,
    '(attribute_not_exists(#expiresAt) OR #expiresAt >= :now)',
  ];
  if (options.casesOfPlays) {
    names['#play'] = 'play';
    const plays = options.casesOfPlays.map((play, i) => {
      values[`:play${i}`] = play;
      return `:play${i}`;
    });
    conditions.push(`#play IN (${plays.join(', ')})`);
  } else if (options.finishedSince) {
    Object.assign(names, { '#caseStatus': 'caseStatus', '#finishedOn': 'finishedOn', '#heldOut': 'heldOut' });
    Object.assign(values, {
      ':case': 'case',
      ':open': 'open',
      ':since': options.finishedSince,
      ':yes': true,
    });
    conditions.push(
      '(#entity <> :case OR attribute_not_exists(#caseStatus) OR #caseStatus = :open OR #finishedOn >= :since OR #heldOut = :yes)',
    );
  }
  const projection = projectionOf(options);
  if (projection) Object.assign(names, projection.ExpressionAttributeNames);
  return {
    ...(projection ? { ProjectionExpression: projection.ProjectionExpression } : {}),
    FilterExpression: conditions.join(' AND '),
    ExpressionAttributeValues: values,
    ExpressionAttributeNames: names,
  };
}

/** A customer item's state and history, as a step or an owner action reads them. */
function customerOf(item: Record<string, unknown>): { state: CustomerState; history: UsagePoint[] } {
  const customer = item as unknown as CustomerItem;
  return { state: stateOf(customer), history: historyOf(customer) };
}

export interface DynamoPortfolioStoreOptions {
  client: DynamoDBDocumentClient;
  portfolioTable: string;
  retentionDays: number;
  /** Parallel scan segments for a whole-portfolio read; absent, one per CUSTOMERS_PER_SEGMENT customers. */
  segments?: number;
  /** The clock that decides which items have expired (TTL deletes late): the run's own, not the wall's. */
  now?: () => Date;
}

/**
 * A whole-portfolio read scans one segment per this many customers (a customer and its cases are a few kilobytes:
 * some twenty 1 MB pages a segment, read one after another), at most MAX_SEGMENTS at once. A small portfolio is one
 * page or two: more segments would only add requests, each returning a sliver.
 */
export const CUSTOMERS_PER_SEGMENT = 10_000;
const MAX_SEGMENTS = 32;

export function segmentsFor(customers: number): number {
  return Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(customers / CUSTOMERS_PER_SEGMENT)));
}

/** Counts DynamoDB requests, for the cost figures of the bench. */
export interface RequestCounter {
  reads: number;
  writes: number;
}

export class DynamoPortfolioStore implements PortfolioStore {
  readonly requests: RequestCounter = { reads: 0, writes: 0 };

  constructor(private readonly options: DynamoPortfolioStoreOptions) {}

  /**
   * One parallel Scan: customer states with their history, cases, suppressions and the portfolio date, in segments
   * sized by the portfolio's customer count (segmentsFor). A shard reads one scan segment (a customer's cases share
   * its partition key, so they come with it) and fetches the portfolio date and its admins' suppressions by key.
   */
  async load(options: LoadOptions = {}): Promise<PortfolioSnapshot> {
    const { shard } = options;
    const whole = shard
      ? 0
      : (this.options.segments ?? segmentsFor(options.customers ?? (await this.customerCount())));
    const segments = shard ? [shard.index] : [...Array(whole).keys()];
    const totalSegments = shard?.count ?? segments.length;
    const snapshot: PortfolioSnapshot = {
      customers: [],
      cases: [],
      suppressedEmails: new Set(),
      portfolioDate: null,
      pauses: [],
    };
    const nowSeconds = Math.floor((this.options.now ?? (() => new Date()))().getTime() / 1000);
    await this.scanInto(snapshot, segments, totalSegments, options, nowSeconds);
    if (options.finishedSince) {
      // A play that held a case out: its comparison needs every case it finished, read in a second, rarer scan.
      const plays = [...new Set(snapshot.cases.filter((c) => c.heldOut).map((c) => c.playId))];
      if (plays.length > 0) {
        const seen = new Set(snapshot.cases.map((c) => keys.case(c.customerId, c.caseId).sk));
        const cases: PortfolioSnapshot = { ...snapshot, customers: [], cases: [], pauses: [] };
        await this.scanInto(
          cases,
          segments,
          totalSegments,
          { ...options, casesOfPlays: plays },
          nowSeconds,
          seen,
        );
        snapshot.cases.push(...cases.cases);
      }
    }
    if (shard) await this.readByKeyInto(snapshot);
    return snapshot;
  }

  /**
   * A shard's portfolio date and its admins' suppressions, by key, in one BatchGetItem (100 keys to a request):
   * its scan segment holds only its own customers.
   */
  private async readByKeyInto(snapshot: PortfolioSnapshot): Promise<void> {
    const admins = new Set(snapshot.customers.map((c) => c.state.adminAddress));
    const portfolio = keys.portfolio();
    const found = await batchGetAll(
      this.options.client,
      this.options.portfolioTable,
      [portfolio, ...[...admins].map((email) => keys.suppression(email))],
      { projection: 'pk, email, latestSnapshotDate' },
    );
    this.requests.reads += found.requests;
    for (const item of found.items) {
      if (item.pk === portfolio.pk) snapshot.portfolioDate = item.latestSnapshotDate as IsoDate;
      else snapshot.suppressedEmails.add(String(item.email));
    }
  }

  private async scanInto(
    snapshot: PortfolioSnapshot,
    segments: readonly number[],
    totalSegments: number,
    options: ScanOptions,
    nowSeconds: number,
    seenCases?: ReadonlySet<string>,
  ): Promise<void> {
    const { shard } = options;
    await mapWithConcurrency(segments, segments.length, async (segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        this.requests.reads++;
        const page = await this.options.client.send(
          new ScanCommand({
            TableName: this.options.portfolioTable,
            ...(totalSegments > 1 ? { Segment: segment, TotalSegments: totalSegments } : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
            ...scanExpressions(options, nowSeconds),
          }),
        );
        for (const item of page.Items ?? []) {
          // TTL deletes late: an expired item is treated as gone.
          if (typeof item.expiresAt === 'number' && item.expiresAt < nowSeconds) continue;
          if (item.entity === 'customer') {
            const customer = item as unknown as CustomerItem;
            snapshot.customers.push({
              state: stateOf(customer),
              history: options.history === false ? [] : historyOf(customer),
              firstSeen: customer.firstSeen,
            });
          } else if (item.entity === 'case') {
            if (seenCases?.has(String(item.sk))) continue;
            snapshot.cases.push(caseOf(item));
          } else if (item.entity === 'pause') {
            snapshot.pauses.push(pauseOf(item));
          } else if (shard) {
            // The suppressions and the portfolio item in this segment are not this shard's: read by key below.
          } else if (item.entity === 'suppression') {
            snapshot.suppressedEmails.add(String(item.email));
          } else if (item.entity === 'portfolio') {
            snapshot.portfolioDate = item.latestSnapshotDate as IsoDate;
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
    });
  }

  async saveCases(cases: readonly Case[]): Promise<void> {
    if (cases.length === 0) return;
    this.requests.writes += await batchWriteAll(
      this.options.client,
      this.options.portfolioTable,
      cases.map((c) => ({ PutRequest: { Item: caseItem(c, this.options.retentionDays) } })),
    );
  }

  async getCase(customerId: string, caseId: string): Promise<Case | null> {
    this.requests.reads++;
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.portfolioTable,
        Key: keys.case(customerId, caseId),
        ConsistentRead: true,
      }),
    );
    return (result.Item && caseOf(result.Item)) ?? null;
  }

  async getCustomer(customerId: string): Promise<{ state: CustomerState; history: UsagePoint[] } | null> {
    this.requests.reads++;
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.portfolioTable,
        Key: keys.customer(customerId),
        ProjectionExpression: 'stateAndHistory, #state, history, lastSnapshotDate',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    return result.Item ? customerOf(result.Item) : null;
  }

  /** One BatchGetItem instead of four GetItems: a step runs for every email and task, 870 times in a local year. */
  async stepContext(customerId: string, caseId: string): Promise<StepContext> {
    const wanted = [
      keys.case(customerId, caseId),
      keys.customer(customerId),
      keys.portfolio(),
      keys.pause(customerId),
    ];
    const found = await batchGetAll(this.options.client, this.options.portfolioTable, wanted, {
      consistentRead: true,
    });
    this.requests.reads += found.requests;
    const [caseItem, customerItem, portfolioItem, pauseItem] = wanted.map((key) =>
      found.items.find((item) => item.pk === key.pk && item.sk === key.sk),
    );
    return {
      case: caseItem ? caseOf(caseItem) : null,
      customer: customerItem ? customerOf(customerItem) : null,
      portfolioDate: (portfolioItem?.latestSnapshotDate as IsoDate | undefined) ?? null,
      pause: pauseItem ? pauseOf(pauseItem) : null,
    };
  }

  async portfolioDate(): Promise<IsoDate | null> {
    return ((await this.portfolioItem())?.latestSnapshotDate as IsoDate | undefined) ?? null;
  }

  async customerCount(): Promise<number> {
    return Number((await this.portfolioItem())?.customerItems ?? 0);
  }

  private async portfolioItem(): Promise<Record<string, unknown> | undefined> {
    this.requests.reads++;
    const result = await this.options.client.send(
      new GetCommand({ TableName: this.options.portfolioTable, Key: keys.portfolio() }),
    );
    return result.Item;
  }

  async markStepDone(customerId: string, caseId: string, index: number): Promise<void> {
    await this.markStep(customerId, caseId, index, 'done');
  }

  async markStepCancelled(customerId: string, caseId: string, index: number): Promise<void> {
    await this.markStep(customerId, caseId, index, 'cancelled');
  }

  private async markStep(customerId: string, caseId: string, index: number, status: string): Promise<void> {
    this.requests.writes++;
    await this.options.client
      .send(
        new UpdateCommand({
          TableName: this.options.portfolioTable,
          Key: keys.case(customerId, caseId),
          UpdateExpression: `SET #case.steps[${index}].#status = :done`,
          // A finished case keeps no steps to update (caseItem.ts): nothing is carried out for it any more.
          ConditionExpression: `attribute_exists(#case.steps[${index}])`,
          ExpressionAttributeNames: { '#case': 'case', '#status': 'status' },
          ExpressionAttributeValues: { ':done': status },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async rescheduleStep(customerId: string, caseId: string, index: number, dueOn: IsoDate): Promise<void> {
    this.requests.writes++;
    await this.options.client
      .send(
        new UpdateCommand({
          TableName: this.options.portfolioTable,
          Key: keys.case(customerId, caseId),
          UpdateExpression: `SET #case.steps[${index}].dueOn = :day`,
          ConditionExpression: `#case.steps[${index}].#status = :scheduled`,
          ExpressionAttributeNames: { '#case': 'case', '#status': 'status' },
          ExpressionAttributeValues: { ':day': dueOn, ':scheduled': 'scheduled' },
        }),
      )
      .catch((error: unknown) => {
        // Sent or cancelled meanwhile: the step handler re-reads the case, so the new schedule sends nothing.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}

/** Ledger items in the activity table, keyed by a deterministic message id. */
export class DynamoMessageLedger implements MessageLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly activityTable: string,
    private readonly retentionDays: number,
    /** A claim older than this belongs to an invocation that died mid-send and may be taken over. */
    private readonly claimTimeoutSeconds = 900,
  ) {}

  async claim(messageId: string, now: Date): Promise<Claim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.activityTable,
          Item: {
            ...keys.message(messageId),
            entity: 'message',
            status: 'sending',
            claimedAt: nowSeconds,
            expiresAt: nowSeconds + this.retentionDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :sending AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':stale': nowSeconds - this.claimTimeoutSeconds,
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.client.send(
      new GetCommand({ TableName: this.activityTable, Key: keys.message(messageId), ConsistentRead: true }),
    );
    return existing.Item?.status === 'sent' ? 'done' : 'in-flight';
  }

  async markSent(messageId: string, providerId: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.activityTable,
        Key: keys.message(messageId),
        UpdateExpression: 'SET #status = :sent, providerId = :provider, sentAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':provider': providerId, ':at': now.toISOString() },
      }),
    );
  }

  async release(messageId: string): Promise<void> {
    await this.client
      .send(
        new DeleteCommand({
          TableName: this.activityTable,
          Key: keys.message(messageId),
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending' },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}

/** A pause item as the owner set it (its end may have passed: TTL deletes it a day later, or later still). */
function pauseOf(item: Record<string, unknown>): CustomerPause {
  return { customerId: String(item.customerId), until: item.until as IsoDate, by: String(item.by) };
}
