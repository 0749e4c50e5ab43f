// Writes every template × variant × locale, and both digests in every locale, to out/preview/ with an index.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALES } from '../lambdas/domain/locales';
import { CATALOGS } from '../lambdas/rendering/catalog';
import { EmailRenderer } from '../lambdas/rendering/renderer';
import {
  SAMPLE_BRAND,
  sampleCallScriptDigest,
  sampleDigestData,
  sampleEmailData,
  templateVariants,
} from '../local/emailSamples';
import { buildTemplates } from './buildTemplates';

const OUT = fileURLToPath(new URL('../out/preview/', import.meta.url));

const htmlEscape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export async function writePreview(outDir = OUT): Promise<string[]> {
  await buildTemplates();
  // Imported once built: the module is what the build just wrote.
  const { allTemplates } = await import('../lambdas/rendering/compiledTemplates');
  const renderer = new EmailRenderer(allTemplates());
  await mkdir(outDir, { recursive: true });
  const rows: string[] = [];
  const files: string[] = [];
  for (const { template, variant } of templateVariants()) {
    for (const locale of LOCALES) {
      const email = renderer.renderEmail({
        template,
        variant,
        locale,
        data: sampleEmailData(template, variant, locale),
        brand: SAMPLE_BRAND,
      });
      const file = `${template}--${variant ?? 'default'}--${locale}.html`;
      await writeFile(join(outDir, file), email.html);
      await writeFile(join(outDir, file.replace(/\.html$/, '.txt')), email.text);
      files.push(file);
      rows.push(
        `<tr><td>${template}</td><td>${variant ?? 'default'}</td><td>${locale}</td><td><a href="${file}">${htmlEscape(email.subject)}</a></td></tr>`,
      );
    }
  }
  for (const kind of ['owner', 'team'] as const) {
    for (const locale of LOCALES) {
      const digest = renderer.renderDigest({
        kind,
        locale,
        data: sampleDigestData(kind),
        brand: SAMPLE_BRAND,
      });
      const file = `digest-${kind}--default--${locale}.html`;
      await writeFile(join(outDir, file), digest.html);
      await writeFile(join(outDir, file.replace(/\.html$/, '.txt')), digest.text);
      files.push(file);
      rows.push(
        `<tr><td>digest-${kind}</td><td>default</td><td>${locale}</td><td><a href="${file}">${htmlEscape(digest.subject)}</a></td></tr>`,
      );
    }
  }
  // Every call script in every language: an owner digest with one new task of each type.
  for (const locale of LOCALES) {
    const digest = renderer.renderDigest({
      kind: 'owner',
      locale,
      data: sampleCallScriptDigest(Object.keys(CATALOGS[locale].digest.callScripts)),
      brand: SAMPLE_BRAND,
    });
    const file = `digest-owner--call-scripts--${locale}.html`;
    await writeFile(join(outDir, file), digest.html);
    await writeFile(join(outDir, file.replace(/\.html$/, '.txt')), digest.text);
    files.push(file);
    rows.push(
      `<tr><td>digest-owner</td><td>call scripts</td><td>${locale}</td><td><a href="${file}">${htmlEscape(digest.subject)}</a></td></tr>`,
    );
  }
  const index = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>clm-autopilot email gallery</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e4e7eb;padding:6px 8px;text-align:left}</style>
</head><body><h1>Email gallery</h1><p>${files.length} renderings with sample data. Each has a plain-text twin (.txt).</p>
<table><tr><th>template</th><th>variant</th><th>locale</th><th>subject</th></tr>
${rows.join('\n')}
</table></body></html>
`;
  await writeFile(join(outDir, 'index.html'), index);
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await writePreview();
  process.stdout.write(
    `wrote ${files.length} emails and digests to out/preview/ (open out/preview/index.html)\n`,
  );
}
