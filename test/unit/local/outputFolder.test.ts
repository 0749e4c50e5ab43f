import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTPUT_MARKER, OutputFolderError, prepareOutputFolder } from '../../../local/outputFolder';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-out-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under `folder`, with its content, so a test can tell that nothing changed. */
async function contentsOf(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path.slice(folder.length + 1)] = await readFile(path, 'utf8');
    }
  }
  return files;
}

describe('prepareOutputFolder', () => {
  it('makes a new folder and marks it as the run output', async () => {
    // Act
    await prepareOutputFolder(join(dir, 'run', 'one'));

    // Assess
    expect((await readdir(join(dir, 'run', 'one'))).sort()).toEqual([OUTPUT_MARKER, 'mail']);
  });

  it('uses an empty folder', async () => {
    // Prepare
    await mkdir(join(dir, 'empty'));

    // Act
    await prepareOutputFolder(join(dir, 'empty'));

    // Assess
    expect(await readdir(join(dir, 'empty'))).toContain(OUTPUT_MARKER);
  });

  it('refuses a folder with files it did not write, and leaves them as they were', async () => {
    // Prepare
    await writeFile(join(dir, '2026-01-05.csv'), 'customer_id\n');
    await writeFile(join(dir, 'summary.json'), '{"mine":true}');
    const before = await contentsOf(dir);

    // Act
    const refusal = await prepareOutputFolder(dir).catch((error: unknown) => error);

    // Assess
    expect(refusal).toBeInstanceOf(OutputFolderError);
    expect((refusal as Error).message).toBe(
      `--out ${dir} is a folder with files clm did not write (no ${OUTPUT_MARKER}): choose a new or empty folder`,
    );
    expect(await contentsOf(dir)).toEqual(before);
  });

  it('refuses the snapshots folder itself, or a folder holding it, even when marked', async () => {
    // Prepare
    const snapshots = join(dir, 'exports');
    await mkdir(snapshots);
    await writeFile(join(dir, OUTPUT_MARKER), '');
    await writeFile(join(snapshots, '2026-01-05.csv'), 'customer_id\n');
    const before = await contentsOf(dir);

    // Act
    const same = await prepareOutputFolder(snapshots, [snapshots]).catch((error: unknown) => error);
    const parent = await prepareOutputFolder(join(snapshots, '..'), [snapshots]).catch((e: unknown) => e);

    // Assess
    expect(same).toBeInstanceOf(OutputFolderError);
    expect(parent).toBeInstanceOf(OutputFolderError);
    expect((same as Error).message).toContain('would hold the snapshots folder');
    expect(await contentsOf(dir)).toEqual(before);
  });

  it('refuses a file', async () => {
    // Prepare
    await writeFile(join(dir, 'notes.txt'), 'keep me');

    // Act
    const refusal = await prepareOutputFolder(join(dir, 'notes.txt')).catch((error: unknown) => error);

    // Assess
    expect((refusal as Error).message).toContain('is a file, not a folder');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('in a folder it marked, replaces only what a run writes', async () => {
    // Prepare: an earlier run's output, and files the user added since
    const out = join(dir, 'out');
    await prepareOutputFolder(out);
    await writeFile(join(out, 'events.jsonl'), '{}\n');
    await writeFile(join(out, 'summary.json'), '{}');
    await writeFile(join(out, 'index.html'), '<p>');
    await writeFile(join(out, 'mail', '00001-2026-01-05-admin-example-com-welcome.html'), '<p>');
    await writeFile(join(out, 'mail', 'my-notes.txt'), 'mine');
    await writeFile(join(out, 'mail.html'), '<p>');
    await mkdir(join(out, 'customers'));
    await writeFile(join(out, 'customers', 'C-0001.html'), '<p>');
    await writeFile(join(out, 'customers', 'call notes.docx'), 'mine');
    await writeFile(join(out, 'analysis.xlsx'), 'mine');

    // Act
    await prepareOutputFolder(out);

    // Assess
    expect(await contentsOf(out)).toEqual({
      [OUTPUT_MARKER]: expect.any(String),
      'analysis.xlsx': 'mine',
      [join('mail', 'my-notes.txt')]: 'mine',
      [join('customers', 'call notes.docx')]: 'mine',
    });
  });
});
