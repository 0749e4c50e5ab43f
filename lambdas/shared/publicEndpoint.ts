import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Locale } from '../domain/locales';

// What the public function URLs (unsubscribe, owner actions) share: the page shell, its headers, and reading a
// token from a request without ever throwing on what a stranger sends.

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function respond(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: PAGE_HEADERS, body };
}

/** The longest path, token or body we read: ours are a few hundred characters. */
export const MAX_INPUT = 4096;

/**
 * The token: the last path segment (/u/<token>, /a/<token>) or the `t` query parameter. Null when the request
 * cannot carry one (a path that is not valid percent-encoding, or far too long).
 */
export function tokenOf(event: APIGatewayProxyEventV2): string | null {
  const query = event.queryStringParameters?.t;
  if (typeof query === 'string') return query.length <= MAX_INPUT ? query : null;
  const path = typeof event.rawPath === 'string' ? event.rawPath : '';
  if (path.length > MAX_INPUT) return null;
  try {
    return decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
  } catch {
    return null;
  }
}

/** The request body as text; a body that is not what it claims to be reads as empty. */
export function bodyOf(event: APIGatewayProxyEventV2): string {
  if (typeof event.body !== 'string' || event.body.length > MAX_INPUT) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export const methodOf = (event: APIGatewayProxyEventV2) =>
  String(event.requestContext?.http?.method ?? '').toUpperCase();

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A small page that reads well on a phone: a heading and a body of already-escaped HTML. */
export function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>
`;
}
