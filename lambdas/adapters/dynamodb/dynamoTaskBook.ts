import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addDays } from '../../domain/dates';
import type { CustomerDirectory, OwnerTask, TaskBook } from '../../ports/taskBook';
import { withThrottlingRetry } from './retry';
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
      await withThrottlingRetry(() =>
        this.client.send(
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
        ),
      );
      return 'added';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already-there';
      throw error;
    }
  }

  async dueBetween(to: string, from: string, until: string): Promise<OwnerTask[]> {
    const tasks: OwnerTask[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withThrottlingRetry(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.activityTable,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :until',
            ExpressionAttributeValues: {
              ':pk': keys.task(to, from, '').pk,
              ':from': `${from}#`,
              ':until': `${until}#~`,
            },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...task } = item;
        tasks.push(task as OwnerTask);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return tasks;
  }
}

export class DynamoCustomerDirectory implements CustomerDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly portfolioTable: string,
  ) {}

  async ownerOf(customerId: string): Promise<string | null> {
    const result = await withThrottlingRetry(() =>
      this.client.send(
        new GetCommand({
          TableName: this.portfolioTable,
          Key: keys.customer(customerId),
          ProjectionExpression: '#state.ownerEmail',
          ExpressionAttributeNames: { '#state': 'state' },
        }),
      ),
    );
    return (result.Item?.state as { ownerEmail?: string } | undefined)?.ownerEmail ?? null;
  }
}
