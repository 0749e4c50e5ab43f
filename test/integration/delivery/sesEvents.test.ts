import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSuppressionList } from '../../../lambdas/adapters/dynamodb/dynamoSuppressionList';
import { DynamoCustomerDirectory, DynamoTaskBook } from '../../../lambdas/adapters/dynamodb/dynamoTaskBook';
import { keys } from '../../../lambdas/adapters/dynamodb/tableDesign';
import { createSesEventsHandler, type SesEventDetail } from '../../../lambdas/handlers/sesEvents';
import { type LocalDynamo, startDynamo } from '../../../local/emulators';

let dynamo: LocalDynamo;
let handler: ReturnType<typeof createSesEventsHandler>;
let suppressions: DynamoSuppressionList;
let tasks: DynamoTaskBook;

beforeAll(async () => {
  dynamo = await startDynamo();
  suppressions = new DynamoSuppressionList(dynamo.documents, dynamo.tables.Portfolio!);
  tasks = new DynamoTaskBook(dynamo.documents, dynamo.tables.Activity!, 400);
  handler = createSesEventsHandler({
    suppressions,
    tasks,
    customers: new DynamoCustomerDirectory(dynamo.documents, dynamo.tables.Portfolio!),
    now: () => new Date('2026-11-23T10:15:00Z'),
  });
  await dynamo.documents.send(
    new PutCommand({
      TableName: dynamo.tables.Portfolio!,
      Item: {
        ...keys.customer('C-0007'),
        entity: 'customer',
        state: { customerId: 'C-0007', ownerEmail: 'dana.owner@reseller.example' },
      },
    }),
  );
});
afterAll(async () => {
  await dynamo.close();
});

/** An SES event as the configuration set's EventBridge destination delivers it. */
function sesEvent(detailType: string, detail: SesEventDetail): EventBridgeEvent<string, SesEventDetail> {
  return {
    version: '0',
    id: 'b1c2d3e4-0000-4000-8000-000000000001',
    'detail-type': detailType,
    source: 'aws.ses',
    account: '111122223333',
    time: '2026-11-23T10:14:58Z',
    region: 'eu-central-1',
    resources: ['arn:aws:ses:eu-central-1:111122223333:configuration-set/clm-autopilot'],
    detail,
  };
}

describe('SES bounce and complaint events', () => {
  it('suppresses a hard-bounced address and gives the owner a task to fix the contact', async () => {
    // Prepare
    const event = sesEvent('Email Bounced', {
      eventType: 'Bounce',
      mail: { messageId: '0102019a-bounce', tags: { customerId: ['C-0007'], play: ['renewal'] } },
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'old.admin@silverfield.example' }],
      },
    });

    // Act
    const result = await handler(event);
    await handler(event);

    // Assess
    expect(result).toEqual({ suppressed: 1 });
    expect(await suppressions.isSuppressed('old.admin@silverfield.example')).toBe(true);
    const owned = await tasks.dueBetween('dana.owner@reseller.example', '2026-11-01', '2026-11-30');
    expect(owned).toEqual([
      expect.objectContaining({
        customerId: 'C-0007',
        task: 'fix-contact',
        reason: 'bounced',
        dueOn: '2026-11-23',
        // after that Monday's digest: new in Tuesday's
        addedAt: '2026-11-23T10:15:00.000Z',
        level: 1,
      }),
    ]);
  });

  it('suppresses a complaint', async () => {
    // Act
    await handler(
      sesEvent('Email Complaint Received', {
        eventType: 'Complaint',
        mail: { messageId: '0102019a-complaint', tags: { customerId: ['C-0007'] } },
        complaint: { complainedRecipients: [{ emailAddress: 'angry@silverfield.example' }] },
      }),
    );

    // Assess
    expect(await suppressions.isSuppressed('angry@silverfield.example')).toBe(true);
  });

  it('lets a transient bounce pass', async () => {
    // Act
    const result = await handler(
      sesEvent('Email Bounced', {
        eventType: 'Bounce',
        mail: { messageId: '0102019a-soft' },
        bounce: {
          bounceType: 'Transient',
          bouncedRecipients: [{ emailAddress: 'full.mailbox@silverfield.example' }],
        },
      }),
    );

    // Assess
    expect(result).toEqual({ suppressed: 0 });
    expect(await suppressions.isSuppressed('full.mailbox@silverfield.example')).toBe(false);
  });
});
