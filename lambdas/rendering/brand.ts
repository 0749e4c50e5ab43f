import { z } from 'zod';

// The brand schema checks configuration at synth and in the local tools; the Lambdas receive checked values and
// import only the type, which keeps zod out of their bundles.

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// address' });
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb');

/** The reseller's brand and links, from configuration; checked once, not at every send. */
export const Brand = z.object({
  name: z.string().min(1),
  logoUrl: httpsUrl.nullable().default(null),
  primaryColor: colour.default('#12344d'),
  accentColor: colour.default('#1f6feb'),
  postalAddress: z.string().min(1),
  adminConsoleUrl: httpsUrl,
  signInUrl: httpsUrl,
  bookingUrl: httpsUrl,
  supportUrl: httpsUrl,
  trainingUrl: httpsUrl,
  renewUrl: httpsUrl,
});
export type Brand = z.infer<typeof Brand>;
