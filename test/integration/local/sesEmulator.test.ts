import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSes, startSes } from '../../../local/emulators';

let ses: LocalSes;
beforeAll(async () => {
  ses = await startSes();
});
afterAll(async () => {
  await ses?.close();
});

const email = (to: string) =>
  new SendEmailCommand({
    FromEmailAddress: 'licensing@reseller.example',
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hello' } } } },
  });

describe('the local SES', () => {
  it('numbers its messages in sequence, so a replayed bounce names the same message in every run', async () => {
    // Act: the message ID of an email is what a bounce event names, and the owner's fix-contact task is keyed on it
    const first = await ses.client.send(email('a@customer.example'));
    const second = await ses.client.send(email('b@customer.example'));

    // Assess
    const number = (id: string | undefined) => Number(/^ses-(\d{9})$/.exec(id ?? '')?.[1]);
    expect(number(second.MessageId)).toBe(number(first.MessageId) + 1);
    expect((await ses.emails()).map((e) => e.messageId)).toEqual([first.MessageId, second.MessageId]);
  });

  it('starts the sequence again for each emulator started, so two runs in one process name the same messages', async () => {
    // Prepare: this emulator has sent already; the next run starts its own
    await ses.client.send(email('c@customer.example'));
    await ses.close();
    ses = await startSes();

    // Act
    const first = await ses.client.send(email('a@customer.example'));

    // Assess
    expect(first.MessageId).toBe('ses-000000001');
  });
});
