import { describe, expect, it } from 'vitest';
import { allTemplates } from '../../../lambdas/rendering/compiledTemplates';
import { EmailRenderer } from '../../../lambdas/rendering/renderer';
import { SAMPLE_BRAND, sampleEmailData } from '../../../local/emailSamples';

// Exports sometimes count more active users than paid seats (transfers, overlapping terms). The numbers are kept
// as exported, but no customer email says more than all of their licences are in use.

const renderer = new EmailRenderer(allTemplates());

describe('customer emails with more active users than licences', () => {
  it('say at most 100 % of the licences are in use', () => {
    // Prepare
    const data = {
      ...sampleEmailData('progress', null, 'en'),
      seatsPurchased: 10,
      activeUsers: 40,
      utilizationPct: 400,
      utilizationBeforePct: 120,
    };

    // Act
    const activation = renderer.renderEmail({
      template: 'activation',
      variant: 'standard',
      locale: 'en',
      data,
      brand: SAMPLE_BRAND,
    });
    const progress = renderer.renderEmail({
      template: 'progress',
      variant: null,
      locale: 'de',
      data,
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(activation.subject).toBe('100% of your licences are in use');
    for (const part of [activation.subject, activation.text, progress.subject, progress.text]) {
      expect(part).not.toMatch(/400|120/);
    }
    expect(progress.text).toContain('100\u00a0%');
  });
});
