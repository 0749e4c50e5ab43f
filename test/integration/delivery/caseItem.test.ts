import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOwnerActions } from '../../../lambdas/adapters/dynamodb/dynamoOwnerActions';
import { DynamoPortfolioStore } from '../../../lambdas/adapters/dynamodb/dynamoPortfolioStore';
import { packText } from '../../../lambdas/adapters/dynamodb/packedText';
import { keys } from '../../../lambdas/adapters/dynamodb/tableDesign';
import type { Case } from '../../../lambdas/domain/engine/cases';
import { type LocalDynamo, startDynamo } from '../../../local/emulators';

let dynamo: LocalDynamo;
let store: DynamoPortfolioStore;

beforeAll(async () => {
  dynamo = await startDynamo();
  store = new DynamoPortfolioStore({
    client: dynamo.documents,
    portfolioTable: dynamo.tables.Portfolio!,
    retentionDays: 400,
    now: () => new Date('2026-03-02T02:00:00Z'),
  });
});
afterAll(async () => {
  await dynamo.close();
});

const renewalCase = (customerId: string): Case => ({
  caseId: `${customerId}#renewal#2026-06-30`,
  customerId,
  playId: 'renewal',
  priority: 1,
  termEnd: '2026-06-30',
  lineKeys: ['sub-1'],
  openedOn: '2026-03-01',
  anchorOn: '2026-03-01',
  expiresOn: '2026-07-30',
  status: 'open',
  resolvedOn: null,
  closedOn: null,
  recipient: 'admin@customer.example',
  baselineUtilization: null,
  steps: [
    {
      index: 0,
      kind: 'email',
      template: 'renewal',
      variant: null,
      task: null,
      reason: null,
      level: 0,
      dueOn: '2026-03-02',
      status: 'scheduled',
    },
    {
      index: 1,
      kind: 'email',
      template: 'renewal-followup',
      variant: null,
      task: null,
      reason: null,
      level: 0,
      dueOn: '2026-03-09',
      status: 'scheduled',
      heldFrom: '2026-03-06',
    },
    {
      index: 2,
      kind: 'task',
      template: null,
      variant: null,
      task: 'call-renewal',
      reason: null,
      level: 1,
      dueOn: '2026-03-16',
      status: 'scheduled',
    },
  ],
});

describe('a case as the portfolio table keeps it', () => {
  it('reads back as it was saved, with the steps done, cancelled and moved since', async () => {
    // Prepare
    const saved = renewalCase('C-1');
    await store.saveCases([saved]);

    // Act: the step function sends the first email, an owner's snooze cancels the task, the quota moves the follow-up
    await store.markStepDone('C-1', saved.caseId, 0);
    await store.markStepCancelled('C-1', saved.caseId, 2);
    await store.rescheduleStep('C-1', saved.caseId, 1, '2026-03-10');

    // Assess: by key and in the nightly scan alike
    const expected: Case = {
      ...saved,
      steps: [
        { ...saved.steps[0]!, status: 'done' },
        { ...saved.steps[1]!, dueOn: '2026-03-10' },
        { ...saved.steps[2]!, status: 'cancelled' },
      ],
    };
    expect(await store.getCase('C-1', saved.caseId)).toEqual(expected);
    expect((await store.load()).cases.find((c) => c.caseId === saved.caseId)).toEqual(expected);
    expect((await store.load({ history: false })).cases.find((c) => c.caseId === saved.caseId)).toEqual(
      expected,
    );
  });

  it('does not move a step that was sent meanwhile', async () => {
    // Prepare
    const saved = renewalCase('C-2');
    await store.saveCases([saved]);
    await store.markStepDone('C-2', saved.caseId, 0);

    // Act
    await store.rescheduleStep('C-2', saved.caseId, 0, '2026-03-05');

    // Assess
    expect((await store.getCase('C-2', saved.caseId))?.steps[0]).toMatchObject({
      status: 'done',
      dueOn: '2026-03-02',
    });
  });

  it('still reads and updates a case written as one map, as earlier versions stored it', async () => {
    // Prepare
    const earlier = renewalCase('C-3');
    await dynamo.documents.send(
      new PutCommand({
        TableName: dynamo.tables.Portfolio!,
        Item: { ...keys.case('C-3', earlier.caseId), entity: 'case', case: earlier },
      }),
    );

    // Act
    await store.markStepDone('C-3', earlier.caseId, 0);
    await store.rescheduleStep('C-3', earlier.caseId, 1, '2026-03-11');

    // Assess
    const read = await store.getCase('C-3', earlier.caseId);
    expect(read?.steps.map((s) => [s.status, s.dueOn])).toEqual([
      ['done', '2026-03-02'],
      ['scheduled', '2026-03-11'],
      ['scheduled', '2026-03-16'],
    ]);
    expect((await store.load()).cases.find((c) => c.caseId === earlier.caseId)).toEqual(read);
  });

  it('still reads and updates a case written with its JSON unpacked, as the previous version stored it', async () => {
    // Prepare
    const earlier = renewalCase('C-5');
    await dynamo.documents.send(
      new PutCommand({
        TableName: dynamo.tables.Portfolio!,
        Item: {
          ...keys.case('C-5', earlier.caseId),
          entity: 'case',
          case: { steps: earlier.steps.map((s) => ({ status: s.status, dueOn: s.dueOn })) },
          caseJson: JSON.stringify(earlier),
        },
      }),
    );

    // Act
    await store.markStepDone('C-5', earlier.caseId, 0);

    // Assess
    const read = await store.getCase('C-5', earlier.caseId);
    expect(read).toEqual({
      ...earlier,
      steps: earlier.steps.map((s, i) => (i === 0 ? { ...s, status: 'done' } : s)),
    });
    expect((await store.load()).cases.find((c) => c.caseId === earlier.caseId)).toEqual(read);
  });

  it('stores the case as one packed value and only the steps status and day as values of their own', async () => {
    // Prepare
    const saved = renewalCase('C-4');

    // Act
    await store.saveCases([saved]);

    // Assess
    const { Item } = await dynamo.documents.send(
      new GetCommand({ TableName: dynamo.tables.Portfolio!, Key: keys.case('C-4', saved.caseId) }),
    );
    expect(Item?.caseData).toBeInstanceOf(Uint8Array);
    expect((Item!.caseData as Uint8Array).byteLength).toBeLessThan(JSON.stringify(saved).length / 2);
    expect(Item?.case).toEqual({
      steps: saved.steps.map((s) => ({ status: s.status, dueOn: s.dueOn })),
    });
  });
});

describe('finished cases', () => {
  const finished = (customerId: string, resolvedOn: string, extra: Partial<Case> = {}): Case => {
    const c = renewalCase(customerId);
    return {
      ...c,
      status: 'resolved',
      resolvedOn,
      steps: c.steps.map((s, i) => ({ ...s, status: i === 0 ? 'done' : 'cancelled' })),
      ...extra,
    };
  };

  it('keep their steps in the packed case only, and a late step update changes nothing', async () => {
    // Prepare
    const saved = finished('F-1', '2026-03-01');
    await store.saveCases([saved]);

    // Act: a step invocation that read the case while it was open records its outcome after it finished
    await store.markStepDone('F-1', saved.caseId, 1);
    await store.markStepCancelled('F-1', saved.caseId, 0);
    await store.rescheduleStep('F-1', saved.caseId, 1, '2026-03-20');

    // Assess
    const { Item } = await dynamo.documents.send(
      new GetCommand({ TableName: dynamo.tables.Portfolio!, Key: keys.case('F-1', saved.caseId) }),
    );
    expect(Item?.case).toBeUndefined();
    expect(Item).toMatchObject({ caseStatus: 'resolved', finishedOn: '2026-03-01', play: 'renewal' });
    expect(await store.getCase('F-1', saved.caseId)).toEqual(saved);
  });

  it('are read whole by key and by every load but the evaluation, which takes what may still decide', async () => {
    // Prepare: closed on the day its follow-up went out; the first email and the call came before
    const c = renewalCase('H-1');
    const closed: Case = {
      ...c,
      status: 'closed',
      closedOn: '2026-03-09',
      steps: [
        { ...c.steps[0]!, status: 'done' },
        { ...c.steps[1]!, status: 'done' },
        { ...c.steps[2]!, dueOn: '2026-03-05', status: 'done' },
      ],
    };
    await store.saveCases([closed]);

    // Act
    const whole = (await store.load()).cases.find((x) => x.caseId === closed.caseId);
    const head = (await store.load({ finishedCases: 'head' })).cases.find((x) => x.caseId === closed.caseId);

    // Assess: the head is the case with the one step that still holds a day of the admin
    expect(await store.getCase('H-1', closed.caseId)).toEqual(closed);
    expect(whole).toEqual(closed);
    expect(head).toEqual({ ...closed, steps: [closed.steps[1]] });
    const { Item } = await dynamo.documents.send(
      new GetCommand({ TableName: dynamo.tables.Portfolio!, Key: keys.case('H-1', closed.caseId) }),
    );
    expect((Item!.caseData as Uint8Array).byteLength).toBeLessThan(
      (Item!.finishedCase as Uint8Array).byteLength,
    );
  });

  it('written whole in caseData by the version before still read whole, in the evaluation load too', async () => {
    // Prepare
    const earlier = finished('H-2', '2026-02-20');
    await dynamo.documents.send(
      new PutCommand({
        TableName: dynamo.tables.Portfolio!,
        Item: {
          ...keys.case('H-2', earlier.caseId),
          entity: 'case',
          caseStatus: 'resolved',
          play: 'renewal',
          caseData: packText(JSON.stringify(earlier)),
          finishedOn: '2026-02-20',
        },
      }),
    );

    // Act
    const head = (await store.load({ finishedCases: 'head' })).cases.find((x) => x.caseId === earlier.caseId);

    // Assess
    expect(head).toEqual(earlier);
  });

  it('finished before the last digest are left out of its load, but for every case of a play that held one out', async () => {
    // Prepare: open, finished long ago, finished yesterday, a held-out play's old cases, and an earlier item form
    const open = renewalCase('L-1');
    const old = finished('L-2', '2026-01-05');
    const recent = finished('L-3', '2026-02-27', {
      status: 'closed',
      resolvedOn: null,
      closedOn: '2026-02-27',
    });
    const heldOut = finished('L-4', '2026-01-05', { playId: 'trial', caseId: 'L-4#trial', heldOut: true });
    const emailed = finished('L-5', '2026-01-05', { playId: 'trial', caseId: 'L-5#trial' });
    const otherPlay = finished('L-6', '2026-01-05', { playId: 'winback', caseId: 'L-6#winback' });
    await store.saveCases([open, old, recent, heldOut, emailed, otherPlay]);
    const earlier = finished('L-7', '2026-01-05');
    await dynamo.documents.send(
      new PutCommand({
        TableName: dynamo.tables.Portfolio!,
        Item: { ...keys.case('L-7', earlier.caseId), entity: 'case', case: earlier },
      }),
    );

    // Act
    const digestLoad = await store.load({ finishedSince: '2026-02-27' });
    const everything = await store.load();

    // Assess
    const ids = (cases: Case[]) =>
      cases
        .map((c) => c.caseId)
        .filter((id) => id.startsWith('L-'))
        .sort();
    expect(ids(digestLoad.cases)).toEqual(
      [open, recent, heldOut, emailed, earlier].map((c) => c.caseId).sort(),
    );
    expect(ids(everything.cases)).toEqual(
      [open, old, recent, heldOut, emailed, otherPlay, earlier].map((c) => c.caseId).sort(),
    );
    expect(digestLoad.cases.find((c) => c.caseId === emailed.caseId)).toEqual(emailed);
  });
});

describe('pauses', () => {
  it('come with every load, with or without the histories', async () => {
    // Prepare
    const actions = new DynamoOwnerActions(
      dynamo.documents,
      dynamo.tables.Portfolio!,
      dynamo.tables.Activity!,
      400,
    );
    await actions.pause(
      { customerId: 'Z-1', until: '2026-03-20', by: 'dana.owner@reseller.example' },
      new Date(),
    );

    // Act
    const loads = [await store.load(), await store.load({ history: false })];

    // Assess
    for (const load of loads)
      expect(load.pauses).toContainEqual({
        customerId: 'Z-1',
        until: '2026-03-20',
        by: 'dana.owner@reseller.example',
      });
  });
});
