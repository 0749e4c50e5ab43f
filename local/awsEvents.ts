import type { APIGatewayProxyEventV2, EventBridgeEvent, ScheduledEvent } from 'aws-lambda';
import type { SesEventDetail } from '../lambdas/handlers/sesEvents';
import { LOCAL_REGION } from './emulators';

// Events in the shapes AWS delivers them, for the local run and the integration tests.

const ACCOUNT = '000000000000';

/** What a recurring EventBridge Scheduler schedule delivers to a Lambda target when it has no input of its own. */
export function scheduledEvent(at: Date, schedule: string): ScheduledEvent {
  return {
    version: '0',
    id: `${schedule}-${at.toISOString()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:scheduler:${LOCAL_REGION}:${ACCOUNT}:schedule/default/${schedule}`],
    detail: {},
  };
}

/** An SES event from the configuration set's EventBridge destination. */
export function sesEvent(
  kind: 'bounce' | 'complaint',
  mail: { messageId: string; to: string; customerId: string },
  at: Date,
): EventBridgeEvent<string, SesEventDetail> {
  const recipients = [{ emailAddress: mail.to }];
  return {
    version: '0',
    id: `${kind}-${mail.messageId}`,
    'detail-type': kind === 'bounce' ? 'Email Bounced' : 'Email Complaint Received',
    source: 'aws.ses',
    account: ACCOUNT,
    time: at.toISOString(),
    region: LOCAL_REGION,
    resources: [],
    detail: {
      eventType: kind === 'bounce' ? 'Bounce' : 'Complaint',
      mail: { messageId: mail.messageId, tags: { customerId: [mail.customerId] } },
      ...(kind === 'bounce'
        ? { bounce: { bounceType: 'Permanent' as const, bouncedRecipients: recipients } }
        : { complaint: { complainedRecipients: recipients } }),
    },
  };
}

/** A request to a Lambda function URL (payload format 2.0). */
export function functionUrlRequest(
  method: 'GET' | 'POST',
  url: string,
  body?: string,
  at: Date = new Date(),
): APIGatewayProxyEventV2 {
  const { hostname, pathname, searchParams } = new URL(url);
  const query = Object.fromEntries(searchParams);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: pathname,
    rawQueryString: searchParams.toString(),
    headers: {
      host: hostname,
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: hostname.split('.')[0] ?? 'local',
      domainName: hostname,
      domainPrefix: hostname.split('.')[0] ?? 'local',
      http: { method, path: pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'mail-client' },
      requestId: `${method}-${pathname}`,
      routeKey: '$default',
      stage: '$default',
      time: at.toUTCString(),
      timeEpoch: at.getTime(),
    },
    ...(body !== undefined ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
  };
}
