// Compiles the MJML templates to HTML once, at build time. Handlebars placeholders pass through MJML untouched
// and are filled at send time by lambdas/rendering, so no Lambda carries mjml. Any MJML error fails the build.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';

const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));
export const COMPILED_FILE = join(TEMPLATES, 'compiled', 'templates.json');

// MJML checks colours strictly, so the sources use two stand-in colours that become the reseller's brand
// colours at send time.
const BRAND_COLOURS: [RegExp, string][] = [
  [/#0b1c2d/gi, '{{@root.brand.primaryColor}}'],
  [/#0c1d2e/gi, '{{@root.brand.accentColor}}'],
];

/**
 * What the build writes: each distinct HTML layout once (several emails share a layout and differ only in copy),
 * and every email and digest by the index of its layout. Keeps the send-time bundle small.
 */
export interface CompiledTemplates {
  layouts: string[];
  emails: Record<string, number>;
  digests: Record<string, number>;
}

export class TemplateBuildError extends Error {
  override name = 'TemplateBuildError';
}

/** Compiles one MJML source strictly; includes resolve inside the templates folder only. */
export async function compileMjml(source: string, filePath: string): Promise<string> {
  let html: string;
  try {
    const result = await mjml2html(source, {
      validationLevel: 'strict',
      filePath,
      ignoreIncludes: false,
      includePath: TEMPLATES,
      fonts: {},
      keepComments: false,
    });
    html = result.html;
  } catch (error) {
    const errors = (error as { errors?: { formattedMessage?: string; message: string }[] }).errors ?? [];
    const details = errors.map((e) => `  ${e.formattedMessage ?? e.message}`).join('\n') || String(error);
    throw new TemplateBuildError(`MJML errors in ${filePath.slice(TEMPLATES.length)}:\n${details}`, {
      cause: error,
    });
  }
  for (const [stand, placeholder] of BRAND_COLOURS) html = html.replace(stand, placeholder);
  // Indentation only: MJML output has no preformatted text, so leading spaces on a line carry nothing.
  return html.replace(/\n[ \t]+/g, '\n');
}

async function compileFolder(
  folder: 'emails' | 'digests',
  layouts: string[],
): Promise<Record<string, number>> {
  const dir = join(TEMPLATES, folder);
  const compiled: Record<string, number> = {};
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.mjml')).sort()) {
    const filePath = join(dir, file);
    const html = await compileMjml(await readFile(filePath, 'utf8'), filePath);
    const index = layouts.indexOf(html);
    compiled[file.replace(/\.mjml$/, '')] = index >= 0 ? index : layouts.push(html) - 1;
  }
  return compiled;
}

export async function buildTemplates(): Promise<CompiledTemplates> {
  const layouts: string[] = [];
  const emails = await compileFolder('emails', layouts);
  const digests = await compileFolder('digests', layouts);
  const compiled: CompiledTemplates = { layouts, emails, digests };
  await mkdir(dirname(COMPILED_FILE), { recursive: true });
  await writeFile(COMPILED_FILE, `${JSON.stringify(compiled)}\n`);
  return compiled;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const compiled = await buildTemplates();
  const size = Buffer.byteLength(JSON.stringify(compiled));
  process.stdout.write(
    `compiled ${Object.keys(compiled.emails).length} emails and ${Object.keys(compiled.digests).length} digests on ${compiled.layouts.length} layouts (${Math.round(size / 1024)} KB) to templates/compiled/templates.json\n`,
  );
}
