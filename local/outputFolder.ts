// The folder a local run writes its results to. A user's files are read-only: the run writes only into a folder
// it made itself (a marker file says so) or into an empty one, and on a later run replaces only what it wrote.
import { mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Left in every output folder: a run may reuse a folder that has it. */
export const OUTPUT_MARKER = '.clm-simulate-output';

const MARKER_TEXT =
  'This folder holds the output of a clm-autopilot local run (clm simulate, npm start).\n' +
  'The next run replaces events.jsonl, summary.json, the report pages, the emails in mail/ and the customer pages in\n' +
  'customers/; it touches nothing else.\n';

/** What a run writes; the only names it ever deletes. */
const OUTPUT_FILES = ['events.jsonl', 'summary.json', 'index.html', 'mail.html', 'compare.html'];
export const OUTPUT_MAIL_FOLDER = 'mail';
/** An email file as the run names it: 00001-2026-01-05-admin-example-com-welcome.html */
const MAIL_FILE = /^\d{5}-\d{4}-\d{2}-\d{2}-[a-z0-9-]*\.html$/;
/** The report's journey pages, one per customer (customerFileOf). */
export const OUTPUT_CUSTOMER_FOLDER = 'customers';
const CUSTOMER_FILE = /^[A-Za-z0-9._-]+\.html$/;

export class OutputFolderError extends Error {
  override name = 'OutputFolderError';
}

/** The path with symbolic links resolved, for the part of it that exists. */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await canonical(parent), relative(parent, absolute));
  }
}

const within = (inner: string, outer: string) =>
  inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);

/**
 * Makes `out` ready for a run, or throws an OutputFolderError before anything is touched: `out` must not be (or
 * hold) one of the `inputs` folders, and an existing folder must be empty or carry the marker. A marked folder
 * loses only the files a run writes.
 */
export async function prepareOutputFolder(out: string, inputs: readonly string[] = []): Promise<void> {
  const target = await canonical(out);
  for (const input of inputs) {
    if (within(await canonical(input), target))
      throw new OutputFolderError(
        `--out ${out} would hold the snapshots folder ${input}: choose another folder`,
      );
  }
  const entries = await listing(out);
  if (entries === undefined) {
    await mkdir(out, { recursive: true });
  } else if (entries.includes(OUTPUT_MARKER)) {
    await removeOwnOutputs(out);
  } else if (entries.length > 0) {
    throw new OutputFolderError(
      `--out ${out} is a folder with files clm did not write (no ${OUTPUT_MARKER}): choose a new or empty folder`,
    );
  }
  await writeFile(join(out, OUTPUT_MARKER), MARKER_TEXT);
  await mkdir(join(out, OUTPUT_MAIL_FOLDER), { recursive: true });
}

/** The names in `out`, or undefined when nothing is there yet. */
async function listing(out: string): Promise<string[] | undefined> {
  try {
    if (!(await stat(out)).isDirectory())
      throw new OutputFolderError(`--out ${out} is a file, not a folder: choose a new or empty folder`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return readdir(out);
}

async function removeOwnOutputs(out: string): Promise<void> {
  for (const file of OUTPUT_FILES) await rm(join(out, file), { force: true });
  for (const [folder, pattern] of [
    [OUTPUT_MAIL_FOLDER, MAIL_FILE],
    [OUTPUT_CUSTOMER_FOLDER, CUSTOMER_FILE],
  ] as const) {
    let files: string[];
    try {
      files = await readdir(join(out, folder));
    } catch {
      continue;
    }
    for (const file of files.filter((f) => pattern.test(f)))
      await rm(join(out, folder, file), { force: true });
  }
}
