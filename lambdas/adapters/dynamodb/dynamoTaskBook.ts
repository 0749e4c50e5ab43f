import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { addDays, type IsoDate } from '../../domain/dates';
import type { CustomerDirectory, OwnerTask, TaskBook } from '../../ports/taskBook';
import { type CustomerItem, stateOf } from './customerItem';
import { epochSeconds, keys } from './tableDesign';

/** Tasks by recipient in the activity table: one Query per digest, sorted by due date. */
export class DynamoTaskBook implements TaskBook {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly activityTable: string,
    private readonly retentionDays: number,
  ) {}

  async add(task: OwnerTask): Promise<'added' | 'already-there'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.activityTable,
          Item: {
            ...keys.task(task.to, task.dueOn, task.taskId),
            entity: 'task',
            ...task,
            expiresAt: epochSeconds(addDays(task.dueOn, this.retentionDays)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'added';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already-there';
      throw error;
    }
  }

  async dueBetween(to: string, from: string, until: string): Promise<OwnerTask[]> {
    const tasks: OwnerTask[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.activityTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :until',
        ExpressionAttributeValues: {
          ':pk': keys.task(to, from, '').pk,
          ':from': `${from}#`,
          ':until': `${until}#~`,
        },
      },
    ))
      for (const item of page.Items ?? []) {
        const task = taskOf(item);
        if (!task.doneOn && !task.movedTo) tasks.push(task);
      }
    return tasks;
  }

  async find(to: string, dueOn: IsoDate, taskId: string): Promise<OwnerTask | null> {
    let key = keys.task(to, dueOn, taskId);
    // A task snoozed a few times is a short chain; more hops than that is not one of ours.
    for (let hop = 0; hop < 20; hop++) {
      const result = await this.client.send(
        new GetCommand({ TableName: this.activityTable, Key: key, ConsistentRead: true }),
      );
      if (!result.Item) return null;
      const task = taskOf(result.Item);
      if (!task.movedTo) return task;
      key = keys.task(to, task.movedTo, taskId);
    }
    return null;
  }

  async markDone(task: OwnerTask, on: IsoDate): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.activityTable,
        Key: keys.task(task.to, task.dueOn, task.taskId),
        UpdateExpression: 'SET doneOn = :on',
        ExpressionAttributeValues: { ':on': on },
      }),
    );
  }

  async moveTo(task: OwnerTask, dueOn: IsoDate): Promise<OwnerTask> {
    const { doneOn: _done, movedTo: _moved, ...open } = task;
    const moved: OwnerTask = { ...open, dueOn };
    // The new item first: a failure between the two writes leaves the task twice, never lost.
    await this.client.send(
      new PutCommand({
        TableName: this.activityTable,
        Item: {
          ...keys.task(moved.to, moved.dueOn, moved.taskId),
          entity: 'task',
          ...moved,
          expiresAt: epochSeconds(addDays(moved.dueOn, this.retentionDays)),
        },
      }),
    );
    await this.client.send(
      new UpdateCommand({
        TableName: this.activityTable,
        Key: keys.task(task.to, task.dueOn, task.taskId),
        UpdateExpression: 'SET movedTo = :to',
        ExpressionAttributeValues: { ':to': dueOn },
      }),
    );
    return moved;
  }
}

function taskOf(item: Record<string, unknown>): OwnerTask {
  const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...task } = item;
  return task as unknown as OwnerTask;
}

export class DynamoCustomerDirectory implements CustomerDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async ownerOf(customerId: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.portfolioTable,
        Key: keys.customer(customerId),
        ProjectionExpression: 'stateAndHistory, #state',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    return result.Item ? (stateOf(result.Item as CustomerItem).ownerEmail ?? null) : null;
  }
}
