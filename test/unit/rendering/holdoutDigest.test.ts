import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../../lambdas/domain/locales';
import { CATALOGS } from '../../../lambdas/rendering/catalog';
import { allTemplates } from '../../../lambdas/rendering/compiledTemplates';
import { EmailRenderer } from '../../../lambdas/rendering/renderer';
import { SAMPLE_BRAND, sampleDigestData } from '../../../local/emailSamples';

const renderer = new EmailRenderer(allTemplates());

describe('the team digest on holdout groups', () => {
  it.each(LOCALES)('in %s shows both groups per play and says when they are too small', (locale) => {
    // Act
    const digest = renderer.renderDigest({
      kind: 'team',
      locale,
      data: sampleDigestData('team'),
      brand: SAMPLE_BRAND,
    });

    // Assess
    const words = CATALOGS[locale].digest;
    const tooSmall = words.holdoutTooSmall.replace('{{min}}', '30');
    for (const part of [digest.html, digest.text]) {
      expect(part).toContain(words.plays.renewal);
      expect(part).toContain(words.holdoutEmailed);
      expect(part).toMatch(/212\D/);
      expect(part).toMatch(/48\D/);
      expect(part).toContain('+12');
      expect(part).not.toMatch(/\{\{|undefined|NaN/);
    }
    expect(digest.html).toContain(words.holdout.replace(/'/g, '&#x27;'));
    expect(digest.text).toContain(words.holdout);
    expect(digest.text).toContain(tooSmall);
  });

  it('leaves the section out when no play has a holdout', () => {
    // Act
    const digest = renderer.renderDigest({
      kind: 'team',
      locale: 'en',
      data: { ...sampleDigestData('team'), holdouts: [] },
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(digest.html).not.toContain(CATALOGS.en.digest.holdout);
    expect(digest.text).not.toContain(CATALOGS.en.digest.holdout);
  });
});
