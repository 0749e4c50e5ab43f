// Compiles the templates once, at build time: MJML to HTML (handlebars placeholders pass through MJML untouched),
// then each HTML layout to a handlebars template function, so a Lambda carries neither mjml nor the handlebars
// compiler, only its runtime. Any MJML error, or copy the send-time renderer could not fill, fails the build.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';

const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));
/** A generated module (gitignored), imported by lambdas/rendering/compiledTemplates.ts. */
export const COMPILED_FILE = join(TEMPLATES, 'compiled', 'templates.ts');

// MJML checks colours strictly, so the sources use two stand-in colours that become the reseller's brand
// colours at send time.
const BRAND_COLOURS: [RegExp, string][] = [
  [/#0b1c2d/gi, '{{@root.brand.primaryColor}}'],
  [/#0c1d2e/gi, '{{@root.brand.accentColor}}'],
];

/**
 * What the build makes: each distinct HTML layout once (several emails share a layout and differ only in copy),
 * and every email and digest by the index of its layout. Keeps the send-time bundle small.
 */
export interface BuiltTemplates {
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

/**
 * Every string of every copy file may hold only plain `{{name}}` placeholders: the send-time renderer fills copy
 * without the handlebars compiler. Anything else (blocks, helpers, `{{{ }}}`, paths) names its file and key here.
 */
export async function checkCopy(): Promise<number> {
  const dir = join(TEMPLATES, 'i18n');
  let strings = 0;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const visit = (value: unknown, key: string) => {
      if (typeof value === 'string') {
        strings++;
        const problem = copyProblem(value);
        if (problem) throw new TemplateBuildError(`i18n/${file} ${key}: ${problem} in "${value}"`);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) visit(v, key ? `${key}.${k}` : k);
      }
    };
    visit(JSON.parse(await readFile(join(dir, file), 'utf8')), '');
  }
  return strings;
}

export function copyProblem(text: string): string | null {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(text);
  } catch (error) {
    return `not a template (${(error as Error).message.split('\n')[0]})`;
  }
  for (const statement of program.body) {
    if (statement.type === 'ContentStatement') {
      if ((statement as hbs.AST.ContentStatement).value.includes('{{')) return 'an escaped {{';
      continue;
    }
    const mustache = statement as hbs.AST.MustacheStatement;
    const path = mustache.path as hbs.AST.PathExpression;
    const simple =
      statement.type === 'MustacheStatement' &&
      mustache.escaped &&
      mustache.params.length === 0 &&
      !mustache.hash &&
      path.type === 'PathExpression' &&
      !path.data &&
      path.depth === 0 &&
      path.parts.length === 1;
    if (!simple) return 'only {{name}} placeholders are supported';
  }
  return null;
}

export async function buildTemplates(): Promise<BuiltTemplates> {
  await checkCopy();
  const layouts: string[] = [];
  const emails = await compileFolder('emails', layouts);
  const digests = await compileFolder('digests', layouts);
  const built: BuiltTemplates = { layouts, emails, digests };
  // Strict: a placeholder without a value throws at send time instead of printing nothing.
  const functions = layouts.map((html) => Handlebars.precompile(html, { strict: true }));
  await mkdir(dirname(COMPILED_FILE), { recursive: true });
  await writeFile(
    COMPILED_FILE,
    [
      '// @ts-nocheck',
      '// Generated by scripts/buildTemplates.ts from templates/ (npm run build:templates): do not edit.',
      'export const COMPILED_TEMPLATES = {',
      `  layouts: [\n${functions.map((f) => `    ${f}`).join(',\n')}\n  ],`,
      `  emails: ${JSON.stringify(emails)},`,
      `  digests: ${JSON.stringify(digests)},`,
      '};',
      '',
    ].join('\n'),
  );
  return built;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildTemplates();
  const size = (await readFile(COMPILED_FILE)).length;
  process.stdout.write(
    `compiled ${Object.keys(built.emails).length} emails and ${Object.keys(built.digests).length} digests on ${built.layouts.length} layouts (${Math.round(size / 1024)} KB) to templates/compiled/templates.ts\n`,
  );
}
