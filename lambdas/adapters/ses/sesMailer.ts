import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { type Mailer, MailerThrottledError, type OutgoingEmail } from '../../ports/mailer';

export interface SesMailerOptions {
  client: SESv2Client;
  senderEmail: string;
  senderName: string;
  replyToEmail?: string;
  /** The configuration set whose event destination reports bounces and complaints. */
  configurationSetName?: string;
  /** An extra mailto: address for List-Unsubscribe, for clients that do not do one-click. */
  unsubscribeMailto?: string;
}

// SES v2 answers a send over the account's limits with TooManyRequestsException (HTTP 429); its documentation
// also names ThrottlingException. The message tells the two limits apart: "Maximum sending rate exceeded." or
// "Daily message quota exceeded."
const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'Throttling',
  'ThrottlingException',
]);

/** A display name in a From header: plain when it is plain ASCII, an RFC 2047 encoded word otherwise. */
export function fromAddress(name: string, email: string): string {
  if (/^[\x20-\x7e]*$/.test(name) && !/["\\]/.test(name)) return `"${name}" <${email}>`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${email}>`;
}

/** SES tag values allow letters, digits, '_', '-', '.' and '@'. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256) || '_';
}

/**
 * Sends through SES v2 with simple content, so SES builds the MIME message and keeps our List-Unsubscribe and
 * List-Unsubscribe-Post headers (RFC 8058 one-click). The SDK retries throttling; if it persists the caller
 * gets MailerThrottledError, saying which limit was hit, and nothing was sent.
 */
export class SesMailer implements Mailer {
  constructor(private readonly options: SesMailerOptions) {}

  async send(email: OutgoingEmail): Promise<string> {
    const o = this.options;
    const headers = email.unsubscribeUrl
      ? [
          {
            Name: 'List-Unsubscribe',
            Value: [
              `<${email.unsubscribeUrl}>`,
              ...(o.unsubscribeMailto ? [`<mailto:${o.unsubscribeMailto}>`] : []),
            ].join(', '),
          },
          { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
        ]
      : [];
    const command = new SendEmailCommand({
      FromEmailAddress: fromAddress(o.senderName, o.senderEmail),
      Destination: { ToAddresses: [email.to] },
      ...(o.replyToEmail ? { ReplyToAddresses: [o.replyToEmail] } : {}),
      ...(o.configurationSetName ? { ConfigurationSetName: o.configurationSetName } : {}),
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: {
            Html: { Data: email.html, Charset: 'UTF-8' },
            Text: { Data: email.text, Charset: 'UTF-8' },
          },
          ...(headers.length ? { Headers: headers } : {}),
        },
      },
      EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
    });
    try {
      const result = await o.client.send(command);
      return result.MessageId ?? '';
    } catch (error) {
      // Still throttled after the SDK's own retries: the sender puts the step back on its queue for later.
      if (error instanceof Error && THROTTLING.has(error.name))
        throw new MailerThrottledError(`SES throttled the send: ${error.message}`, {
          cause: error,
          limit: /daily|24.?hour/i.test(error.message) ? 'daily-quota' : 'rate',
        });
      throw error;
    }
  }
}

/** The mailer of customer emails and digests: the reseller's sender, through the stack's configuration set. */
export function sesMailerOf(
  client: SESv2Client,
  sender: { email: string; name: string; replyTo?: string },
  configurationSetName: string,
): SesMailer {
  return new SesMailer({
    client,
    senderEmail: sender.email,
    senderName: sender.name,
    ...(sender.replyTo ? { replyToEmail: sender.replyTo } : {}),
    configurationSetName,
  });
}
