import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the send-time renderer bundle', () => {
  it('carries the compiled templates and handlebars, and no mjml', async () => {
    // Prepare: what a sending Lambda imports
    const dir = await mkdtemp(join(tmpdir(), 'clm-bundle-'));
    const entry = join(dir, 'entry.ts');
    await writeFile(
      entry,
      [
        `import { EmailRenderer } from '${join(ROOT, 'lambdas/rendering/renderer')}';`,
        `import { COMPILED_TEMPLATES } from '${join(ROOT, 'lambdas/rendering/compiledTemplates')}';`,
        'export const renderer = new EmailRenderer(COMPILED_TEMPLATES);',
      ].join('\n'),
    );

    // Act
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
    await rm(dir, { recursive: true, force: true });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('templates/compiled/templates.ts'))).toBe(true);
    expect(inputs.some((path) => path.includes('node_modules/handlebars/'))).toBe(true);
    expect(
      inputs.filter((path) => /node_modules\/(mjml|juice|html-minifier|js-beautify)/.test(path)),
    ).toEqual([]);
  });
});
