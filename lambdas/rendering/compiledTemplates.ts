// The compiled templates, bundled into the Lambdas as code: `npm run build:templates` generates the modules. Each
// function imports only the set it sends, so the step function does not carry the digests' layouts (nor the
// digest function the emails').
import { DIGEST_TEMPLATES as digests } from '../../templates/compiled/digests';
import { EMAIL_TEMPLATES as emails } from '../../templates/compiled/emails';
import type { CompiledTemplates } from './renderer';

/** The customer emails: what the step function renders. */
export const EMAIL_TEMPLATES: CompiledTemplates = emails;
/** The owner and team digests: what the digest function renders. */
export const DIGEST_TEMPLATES: CompiledTemplates = digests;

/** Emails and digests in one set, for the preview and the tests that render both. */
export function allTemplates(): CompiledTemplates {
  const offset = EMAIL_TEMPLATES.layouts.length;
  return {
    layouts: [...EMAIL_TEMPLATES.layouts, ...DIGEST_TEMPLATES.layouts],
    emails: EMAIL_TEMPLATES.emails,
    digests: Object.fromEntries(
      Object.entries(DIGEST_TEMPLATES.digests).map(([name, i]) => [name, i + offset]),
    ),
  };
}
