// Compiles the templates once, at build time: MJML to HTML (handlebars placeholders pass through MJML untouched),
// then each HTML layout to a handlebars template function, so a Lambda carries neither mjml nor the handlebars
// compiler, only its runtime. Any MJML error, or copy the send-time renderer could not fill, fails the build.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';

const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));
/** The generated modules (gitignored), imported by lambdas/rendering/compiledTemplates.ts. */
export const COMPILED_FILES = {
  emails: join(TEMPLATES, 'compiled', 'emails.ts'),
  digests: join(TEMPLATES, 'compiled', 'digests.ts'),
};

// MJML checks colours strictly, so the sources use two stand-in colours that become the reseller's brand
// colours at send time.
const BRAND_COLOURS: [RegExp, string][] = [
  [/#0b1c2d/gi, '{{@root.brand.primaryColor}}'],
  [/#0c1d2e/gi, '{{@root.brand.accentColor}}'],
];

/**
 * What the build makes, once for the customer emails and once for the digests (each function carries only the set
 * it sends): each distinct HTML layout once (several emails share a layout and differ only in copy), and every
 * email or digest by the index of its layout.
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

export async function buildTemplates(): Promise<{ emails: BuiltTemplates; digests: BuiltTemplates }> {
  await checkCopy();
  const emailLayouts: string[] = [];
  const emails = { layouts: emailLayouts, emails: await compileFolder('emails', emailLayouts), digests: {} };
  const digestLayouts: string[] = [];
  const digests = {
    layouts: digestLayouts,
    emails: {},
    digests: await compileFolder('digests', digestLayouts),
  };
  await writeModule(COMPILED_FILES.emails, 'EMAIL_TEMPLATES', emails);
  await writeModule(COMPILED_FILES.digests, 'DIGEST_TEMPLATES', digests);
  return { emails, digests };
}

async function writeModule(file: string, name: string, built: BuiltTemplates): Promise<void> {
  // Strict: a placeholder without a value throws at send time instead of printing nothing.
  const functions = built.layouts.map((html) => Handlebars.precompile(html, { strict: true }));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(
    file,
    [
      '// @ts-nocheck',
      '// Generated by scripts/buildTemplates.ts from templates/ (npm run build:templates): do not edit.',
      `export const ${name} = {`,
      `  layouts: [\n${functions.map((f) => `    ${f}`).join(',\n')}\n  ],`,
      `  emails: ${JSON.stringify(built.emails)},`,
      `  digests: ${JSON.stringify(built.digests)},`,
      '};',
      '',
    ].join('\n'),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { emails, digests } = await buildTemplates();
  const kb = async (file: string) => Math.round((await readFile(file)).length / 1024);
  process.stdout.write(
    `compiled ${Object.keys(emails.emails).length} emails on ${emails.layouts.length} layouts (${await kb(COMPILED_FILES.emails)} KB) and ${Object.keys(digests.digests).length} digests on ${digests.layouts.length} layouts (${await kb(COMPILED_FILES.digests)} KB) to templates/compiled/\n`,
  );
}
