import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOwnerActions } from '../../../lambdas/adapters/dynamodb/dynamoOwnerActions';
import type { ActionRecord } from '../../../lambdas/ports/ownerActions';
import { type LocalDynamo, startDynamo } from '../../../local/emulators';

let dynamo: LocalDynamo;
let actions: DynamoOwnerActions;
/** Requests sent to DynamoDB, by command. */
const sent = new Map<string, number>();

const OWNER = 'dana@reseller.example';
const done = (at: string, customerId: string): ActionRecord => ({
  owner: OWNER,
  by: OWNER,
  action: 'done',
  customerId,
  caseId: null,
  taskId: `t-${customerId}`,
  at,
});

beforeAll(async () => {
  dynamo = await startDynamo();
  dynamo.documents.middlewareStack.add(
    (next, context) => async (args) => {
      sent.set(context.commandName!, (sent.get(context.commandName!) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  actions = new DynamoOwnerActions(dynamo.documents, dynamo.tables.Portfolio!, dynamo.tables.Activity!, 400);
});
afterAll(async () => {
  await dynamo.close();
});

/** The requests `read` makes. */
async function requestsOf<T>(
  read: () => Promise<T>,
): Promise<{ result: T; requests: Record<string, number> }> {
  sent.clear();
  const result = await read();
  return { result, requests: Object.fromEntries(sent) };
}

describe("the team digest's week of owner actions", () => {
  it('keeps the records an earlier version kept by day in the week after an upgrade', async () => {
    // Prepare: two actions recorded by day, as the version before did, then the first one kept by month
    for (const record of [done('2026-03-06T09:00:00.000Z', 'A-1'), done('2026-03-09T15:30:00.000Z', 'A-2')])
      await dynamo.documents.send(
        new PutCommand({
          TableName: dynamo.tables.Activity!,
          Item: {
            pk: `ACTIONS#${record.at.slice(0, 10)}`,
            sk: `${record.at}#${record.customerId}`,
            entity: 'action',
            ...record,
          },
        }),
      );
    await actions.record(done('2026-03-10T08:00:00.000Z', 'A-3'));

    // Act
    const week = await actions.recordedBetween('2026-03-05', '2026-03-11');
    const later = await actions.recordedBetween('2026-03-07', '2026-03-13');

    // Assess: every record of each window, oldest first, whichever way it was kept
    expect(week.map((r) => r.customerId)).toEqual(['A-1', 'A-2', 'A-3']);
    expect(later.map((r) => r.customerId)).toEqual(['A-2', 'A-3']);
  });

  it('reads a week in one query, two across the turn of a month, once every action is kept by month', async () => {
    // Prepare: actions at the end of March and the start of April
    await actions.record(done('2026-03-24T10:00:00.000Z', 'B-1'));
    await actions.record(done('2026-03-31T23:59:00.000Z', 'B-2'));
    await actions.record(done('2026-04-01T00:01:00.000Z', 'B-3'));

    // Act: a new container's first week and its next
    const container = new DynamoOwnerActions(
      dynamo.documents,
      dynamo.tables.Portfolio!,
      dynamo.tables.Activity!,
      400,
    );
    const march = await requestsOf(() => container.recordedBetween('2026-03-20', '2026-03-26'));
    const turn = await requestsOf(() => container.recordedBetween('2026-03-27', '2026-04-02'));

    // Assess: the layout's starting day read once, beside the first queries; no query per day
    expect(march.result.map((r) => r.customerId)).toEqual(['B-1']);
    expect(march.requests).toEqual({ GetItemCommand: 1, QueryCommand: 1 });
    expect(turn.result.map((r) => r.customerId)).toEqual(['B-2', 'B-3']);
    expect(turn.requests).toEqual({ QueryCommand: 2 });
  });
});
