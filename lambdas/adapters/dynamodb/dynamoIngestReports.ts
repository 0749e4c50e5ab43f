import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IsoDate } from '../../domain/dates';
import type { IngestRecord, IngestReports } from '../../ports/ingestStore';

export class DynamoIngestReports implements IngestReports {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly activityTable: string,
  ) {}

  async processedOn(day: IsoDate): Promise<IngestRecord[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.activityTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `INGESTS#${day}` },
      }),
    );
    return (result.Items ?? []) as IngestRecord[];
  }
}
