import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles a sending Lambda's renderer on `templates`, as the stack bundles it; the files that reach the output. */
async function rendererBundle(templates: 'EMAIL_TEMPLATES' | 'DIGEST_TEMPLATES'): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'clm-bundle-'));
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    [
      `import { EmailRenderer } from '${join(ROOT, 'lambdas/rendering/renderer')}';`,
      `import { ${templates} } from '${join(ROOT, 'lambdas/rendering/compiledTemplates')}';`,
      `export const renderer = new EmailRenderer(${templates});`,
    ].join('\n'),
  );
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      write: false,
      metafile: true,
      absWorkingDir: ROOT,
    });
    const [output] = Object.values(result.metafile.outputs);
    return Object.entries(output!.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the send-time renderer bundle', () => {
  it('carries the customer emails and handlebars for the step function, and no digest layouts or mjml', async () => {
    // Act
    const inputs = await rendererBundle('EMAIL_TEMPLATES');

    // Assess
    expect(inputs.some((path) => path.includes('templates/compiled/emails.ts'))).toBe(true);
    expect(inputs.some((path) => path.includes('templates/compiled/digests.ts'))).toBe(false);
    expect(inputs.some((path) => path.includes('node_modules/handlebars/'))).toBe(true);
    expect(
      inputs.filter((path) => /node_modules\/(mjml|juice|html-minifier|js-beautify)/.test(path)),
    ).toEqual([]);
  });

  it('carries the digests for the digest function, and not the customer emails', async () => {
    const inputs = await rendererBundle('DIGEST_TEMPLATES');

    expect(inputs.some((path) => path.includes('templates/compiled/digests.ts'))).toBe(true);
    expect(inputs.some((path) => path.includes('templates/compiled/emails.ts'))).toBe(false);
  });
});
