import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../../lambdas/domain/locales';
import { allTemplates } from '../../../lambdas/rendering/compiledTemplates';
import { EmailRenderer } from '../../../lambdas/rendering/renderer';
import { SAMPLE_BRAND, sampleDigestData } from '../../../local/emailSamples';

const renderer = new EmailRenderer(allTemplates());

describe('the digests on emails waiting for the sending quota', () => {
  it.each(
    LOCALES.flatMap(
      (locale) =>
        [
          ['owner', locale],
          ['team', locale],
        ] as const,
    ),
  )('the %s digest in %s says how many wait and until when', (kind, locale) => {
    // Act
    const digest = renderer.renderDigest({
      kind,
      locale,
      data: { ...sampleDigestData(kind), waiting: { emails: 1234, lastOn: '2026-03-19' } },
      brand: SAMPLE_BRAND,
    });

    // Assess: the count and the day, in the html and the text part, with no placeholder left
    for (const part of [digest.html, digest.text]) {
      expect(part).toMatch(/1[.,\u202f\u00a0 ]?234/);
      expect(part).toMatch(/19|2026/);
      expect(part).toContain('SES');
      expect(part).not.toMatch(/\{\{|undefined|NaN/);
    }
  });

  it('says nothing when no email waits', () => {
    // Act
    const none = renderer.renderDigest({
      kind: 'owner',
      locale: 'en',
      data: { ...sampleDigestData('owner'), waiting: { emails: 0, lastOn: '2026-03-02' } },
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(none.text).not.toContain('sending quota');
    expect(none.html).not.toContain('sending quota');
  });
});
