import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../../lambdas/domain/locales';
import type { EmailTemplate } from '../../../lambdas/domain/playbook/schema';
import { CATALOGS } from '../../../lambdas/rendering/catalog';
import { allTemplates } from '../../../lambdas/rendering/compiledTemplates';
import { EMAIL_SPECS } from '../../../lambdas/rendering/emailSpecs';
import { TemplateRenderError } from '../../../lambdas/rendering/model';
import { EmailRenderer } from '../../../lambdas/rendering/renderer';
import {
  SAMPLE_BRAND,
  sampleDigestData,
  sampleEmailData,
  templateVariants,
} from '../../../local/emailSamples';
import { checkCopy, compileMjml, copyProblem, TemplateBuildError } from '../../../scripts/buildTemplates';

const compiled = allTemplates();
const renderer = new EmailRenderer(compiled);

function expectClean(text: string) {
  expect(text).not.toMatch(/\{\{|\}\}/);
  expect(text).not.toMatch(/undefined|NaN|\[object Object\]/);
}

describe('customer emails', () => {
  const cases = templateVariants().flatMap(({ template, variant }) =>
    LOCALES.map((locale) => ({ template, variant, locale })),
  );

  it.each(cases)(
    '$template ($variant) in $locale renders complete HTML and text parts',
    ({ template, variant, locale }) => {
      // Prepare
      const data = sampleEmailData(template, variant, locale);

      // Act
      const email = renderer.renderEmail({ template, variant, locale, data, brand: SAMPLE_BRAND });

      // Assess
      expect(email.subject.length).toBeGreaterThan(5);
      expect(email.html).toContain(`lang="${locale}"`);
      expect(email.html).toContain(`href="${data.unsubscribeUrl}"`);
      expect(email.text).toContain(data.unsubscribeUrl);
      expect(email.text.length).toBeGreaterThan(200);
      for (const part of [email.subject, email.html, email.text]) expectClean(part);
    },
  );

  it('writes each language in its own words and formats numbers and dates for it', () => {
    // Prepare
    const data = { ...sampleEmailData('renewal', 'standard', 'de'), seatsPurchased: 1250 };

    // Act
    const de = renderer.renderEmail({
      template: 'renewal',
      variant: 'standard',
      locale: 'de',
      data,
      brand: SAMPLE_BRAND,
    });
    const en = renderer.renderEmail({
      template: 'renewal',
      variant: 'standard',
      locale: 'en',
      data,
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(de.subject).toBe('Ihr Abonnement verlängert sich am 15. Februar 2027');
    expect(en.subject).toBe('Your subscription renews on February 15, 2027');
    const activation = renderer.renderEmail({
      template: 'activation',
      variant: 'standard',
      locale: 'fr',
      data: { ...data, utilizationPct: 31.4, seatsPurchased: 1250, activeUsers: 392 },
      brand: SAMPLE_BRAND,
    });
    expect(activation.subject).toBe('31\u00a0% de vos licences sont utilisées');
    expect(activation.text).toContain('392 des 1\u202f250 licences');
  });

  it('picks the copy of the variant', () => {
    // Act
    const none = renderer.renderEmail({
      template: 'deployment',
      variant: 'none',
      locale: 'en',
      data: sampleEmailData('deployment', 'none', 'en'),
      brand: SAMPLE_BRAND,
    });
    const partial = renderer.renderEmail({
      template: 'deployment',
      variant: 'partial',
      locale: 'en',
      data: sampleEmailData('deployment', 'partial', 'en'),
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(none.subject).toBe('Your 17 licences have not been assigned yet');
    expect(partial.subject).toBe('5 of your licences are waiting for a user');
  });

  it('escapes a customer name that holds HTML', () => {
    // Prepare
    const data = {
      ...sampleEmailData('welcome', null, 'en'),
      customerName: '<script>alert(1)</script>',
      adminName: '"Bob" <b>',
    };

    // Act
    const email = renderer.renderEmail({
      template: 'welcome',
      variant: null,
      locale: 'en',
      data,
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(email.html).not.toContain('<script>alert(1)</script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).not.toContain('<b>');
    expect(email.text).toContain('<script>alert(1)</script>');
  });

  it('never lets a name with CR/LF add a header through the subject', () => {
    // Prepare
    const data = {
      ...sampleEmailData('welcome', null, 'en'),
      customerName: 'Acme\r\nBcc: victim@example.com\nX-Evil: 1',
    };

    // Act
    const email = renderer.renderEmail({
      template: 'welcome',
      variant: null,
      locale: 'en',
      data,
      brand: SAMPLE_BRAND,
    });

    // Assess
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe('Welcome, Acme Bcc: victim@example.com X-Evil: 1: your licences are ready');
  });

  it('refuses a link that is not https', () => {
    // Prepare
    const data = { ...sampleEmailData('welcome', null, 'en'), unsubscribeUrl: 'javascript:alert(1)' };

    // Act
    const render = () =>
      renderer.renderEmail({ template: 'welcome', variant: null, locale: 'en', data, brand: SAMPLE_BRAND });

    // Assess
    expect(render).toThrow(TemplateRenderError);
    expect(render).toThrow(/unsubscribe link must be an https:\/\/ address/);
  });

  it('throws a typed error naming the template when copy uses a variable that does not exist', () => {
    // Prepare
    const catalogs = structuredClone(CATALOGS);
    catalogs.es.emails.winback!.subject = 'Hola {{customerNmae}}';
    const strict = new EmailRenderer(compiled, catalogs);

    // Act
    const render = () =>
      strict.renderEmail({
        template: 'winback',
        variant: null,
        locale: 'es',
        data: sampleEmailData('winback', null, 'es'),
        brand: SAMPLE_BRAND,
      });

    // Assess
    expect(render).toThrow(TemplateRenderError);
    expect(render).toThrow(/^winback \(es\): "customerNmae" not defined/);
  });

  it('shows the seats table exactly in the emails whose spec says so', () => {
    for (const [template, spec] of Object.entries(EMAIL_SPECS)) {
      const data = sampleEmailData(template as EmailTemplate, null, 'en');
      const html = renderer.renderEmail({
        template: template as EmailTemplate,
        variant: null,
        locale: 'en',
        data: { ...data, products: [{ name: 'Seat Table Probe', purchased: 7, assigned: 6, active: 5 }] },
        brand: SAMPLE_BRAND,
      }).html;
      expect(html.includes('Seat Table Probe'), template).toBe(spec.table);
    }
  });

  it('refuses copy with more than {{name}} placeholders instead of sending it half filled', () => {
    // Prepare: a catalogue whose welcome heading uses a block helper
    const catalogs = structuredClone(CATALOGS);
    catalogs.en.emails.welcome!.heading = '{{#if customerName}}Hello{{/if}} there';
    const custom = new EmailRenderer(compiled, catalogs);

    // Act
    const render = () =>
      custom.renderEmail({
        template: 'welcome',
        variant: null,
        locale: 'en',
        data: sampleEmailData('welcome', null, 'en'),
        brand: SAMPLE_BRAND,
      });

    // Assess
    expect(render).toThrow(/copy supports only \{\{name\}\} placeholders/);
  });
});

describe('copy catalogues', () => {
  it('hold only {{name}} placeholders, which the build checks in every string', async () => {
    // Act
    const strings = await checkCopy();

    // Assess: ours pass, and what the send-time renderer could not fill is refused with the reason
    expect(strings).toBeGreaterThan(600);
    expect(copyProblem('Hello {{adminName}}, {{ customerName }}')).toBeNull();
    expect(copyProblem('{{#if adminName}}Hi{{/if}}')).toMatch(/only \{\{name\}\} placeholders/);
    expect(copyProblem('{{{customerName}}}')).toMatch(/only/);
    expect(copyProblem('{{brand.name}}')).toMatch(/only/);
    expect(copyProblem('{{format date}}')).toMatch(/only/);
    expect(copyProblem('\\{{customerName}}')).toMatch(/escaped/);
    expect(copyProblem('{{customerName')).toMatch(/not a template/);
  });

  function shape(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(shape);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
    return typeof value;
  }

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has every key of en, in the same shape', (locale) => {
    expect(shape(CATALOGS[locale])).toEqual(shape(CATALOGS.en));
  });
});

describe('digests', () => {
  const cases = (['owner', 'team'] as const).flatMap((kind) => LOCALES.map((locale) => ({ kind, locale })));

  it.each(cases)('the $kind digest in $locale has its sections, links and bar charts', ({ kind, locale }) => {
    // Act
    const digest = renderer.renderDigest({ kind, locale, data: sampleDigestData(kind), brand: SAMPLE_BRAND });

    // Assess
    for (const part of [digest.subject, digest.html, digest.text]) expectClean(part);
    const words = CATALOGS[locale].digest;
    expect(digest.html).toContain(words.kpis);
    // Two of the six sample customers are below 60 % and two grew by more than 10 points.
    expect(digest.html).toMatch(/<td width="33%" height="12"/);
    expect(digest.text).toMatch(new RegExp(`${words.rising}: 2\\b`));
    expect(digest.html).not.toMatch(/<img|<svg|<script/i);
    if (kind === 'owner') {
      expect(digest.html).toContain('href="mailto:jonas.schaefer@alpenforge.example"');
      expect(digest.html).toContain('href="tel:+494012345678"');
      // Each new task carries the call script of its type; the renewal call answers the common objections.
      expect(digest.text).toContain(words.callScripts['call-admin-activation']!.opening);
      expect(digest.html).toContain(
        words.callScripts['renewal-call']!.objections[1]!.say.replace("'", '&#x27;'),
      );
      expect(digest.text).toContain(words.overdueTasks);
      // The new-admin call names the previous contact and has a call script of its own.
      expect(digest.html).toContain(
        `${words.previousContact}: Javier Molina (javier.molina@costaverde.example)`,
      );
      expect(digest.text).toContain(words.callScripts['new-admin-call']!.steps[2]!);
    } else {
      expect(digest.html).toContain('snapshots/partner-center-2026-11-22.csv');
      expect(digest.text).toContain(words.escalations);
    }
  });

  it.each(LOCALES)(
    'leaves out the headings of empty sections and draws a bar of 0 as nothing (%s)',
    (locale) => {
      // Prepare: a day with one overdue task, no new task, no renewal, no win, nobody below 60 %
      const data = sampleDigestData('owner');
      const quiet = {
        ...data,
        newTasks: [],
        renewals: [],
        wins: [],
        kpis: { ...data.kpis!, belowSixtyPct: { ...data.kpis!.belowSixtyPct, value: 0, met: true } },
      };

      // Act
      const digest = renderer.renderDigest({ kind: 'owner', locale, data: quiet, brand: SAMPLE_BRAND });

      // Assess
      const words = CATALOGS[locale].digest;
      for (const part of [digest.html, digest.text]) {
        expect(part).toContain(words.overdueTasks);
        expect(part).not.toContain(words.newTasks);
        expect(part).not.toContain(words.renewals);
        expect(part).not.toContain(words.wins);
        expect(part).not.toContain(words.nothing);
      }
      expect(digest.html).not.toMatch(/<td width="0%"/);
    },
  );
});

describe('the template build', () => {
  it('fails on an MJML error instead of producing a broken email', async () => {
    // Act
    const build = compileMjml(
      '<mjml><mj-body><mj-section><mj-text>not in a column</mj-text></mj-section></mj-body></mjml>',
      'broken.mjml',
    );

    // Assess
    await expect(build).rejects.toThrow(TemplateBuildError);
  });
});

describe('facts the export does not give', () => {
  it.each(LOCALES)('shows unknown active users as a dash, never as a number (%s)', (locale) => {
    // Prepare
    const data = {
      ...sampleEmailData('deployment', 'partial', locale),
      activeUsers: null,
      utilizationPct: null,
    };
    data.products = data.products.map((p) => ({ ...p, active: null }));

    // Act
    const email = renderer.renderEmail({
      template: 'deployment',
      variant: 'partial',
      locale,
      data,
      brand: SAMPLE_BRAND,
    });

    // Assess
    expectClean(email.text);
    for (const p of data.products) expect(email.text).toMatch(new RegExp(`${p.name}: .*–`));
  });
});
