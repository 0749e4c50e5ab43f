import type { EmailTemplate } from '../domain/playbook/schema';
import type { Brand } from './model';

type Link = 'adminConsoleUrl' | 'signInUrl' | 'bookingUrl' | 'supportUrl' | 'trainingUrl' | 'renewUrl';

/**
 * Where each email's buttons lead and whether it shows the seats table. The HTML layout of each email is its MJML
 * file; the plain-text part follows this list (a test checks the two agree).
 */
export const EMAIL_SPECS: Record<EmailTemplate, { cta: Link; secondary?: Link; table: boolean }> = {
  welcome: { cta: 'adminConsoleUrl', secondary: 'bookingUrl', table: false },
  deployment: { cta: 'adminConsoleUrl', table: true },
  'deployment-reminder': { cta: 'adminConsoleUrl', table: true },
  'active-use': { cta: 'bookingUrl', table: false },
  resources: { cta: 'trainingUrl', secondary: 'supportUrl', table: false },
  activation: { cta: 'bookingUrl', secondary: 'signInUrl', table: true },
  progress: { cta: 'bookingUrl', table: false },
  renewal: { cta: 'bookingUrl', table: true },
  'renewal-followup': { cta: 'bookingUrl', table: false },
  'renewal-last-call': { cta: 'renewUrl', table: false },
  winback: { cta: 'bookingUrl', table: false },
  'new-admin': { cta: 'adminConsoleUrl', secondary: 'supportUrl', table: true },
};

export function linkOf(brand: Brand, link: Link): string {
  return brand[link];
}
