import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/clm.js', import.meta.url));
/** Far above a normal early exit (a few seconds), far below "hangs". */
const HANG = 60_000;

interface Finished {
  code: number | null;
  stderr: string;
  /** Every process the command started, seen while it ran. */
  children: number[];
}

async function childrenOf(pid: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,ppid=']);
  const rows = stdout
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of rows)
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs `clm simulate` as a user would, from `cwd`; fails the test if it does not end by itself. */
function simulate(args: string[], cwd: string): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, 'simulate', ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const children = new Set<number>();
  const watch = setInterval(() => {
    void childrenOf(child.pid!).then((pids) => {
      for (const pid of pids) children.add(pid);
    });
  }, 100);
  const hang = setTimeout(() => child.kill('SIGKILL'), HANG);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearInterval(watch);
      clearTimeout(hang);
      resolve({ code, stderr, children: [...children] });
    });
  });
}

/**
 * The processes of `pids` still alive once their parent has gone, after a short grace: a child that ends when
 * its parent's pipe closes (the dynalite process, tsx's esbuild service) takes a moment to notice on a busy machine.
 */
async function survivorsOf(pids: number[]): Promise<number[]> {
  for (let tries = 0; tries < 50; tries++) {
    if (!pids.some(alive)) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return pids.filter(alive);
}

/** The last line the command wrote, without Node's own warnings. */
const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-simulate-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function userFolder(): Promise<{ folder: string; files: Record<string, string> }> {
  const folder = join(dir, 'exports');
  await mkdir(folder);
  const files = {
    '2026-03-02.csv':
      'customer_id,customer_name,admin_email,owner_email,product,licenses_purchased,licenses_assigned,term_start\n' +
      'C1,Acme,admin@acme.example,owner@reseller.example,Acrobat,10,4,2026-03-02\n',
    'notes.txt': 'my own notes',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
  return { folder, files };
}

async function contentsOf(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(folder)) files[name] = await readFile(join(folder, name), 'utf8');
  return files;
}

describe('clm simulate refuses an output folder it did not make', () => {
  it('--out over the snapshots folder: exit 2, one line, nothing deleted', async () => {
    // Prepare
    const { folder, files } = await userFolder();

    // Act
    const run = await simulate(['--snapshots', folder, '--out', folder], dir);

    // Assess
    expect(run.code).toBe(2);
    expect(lastLine(run.stderr)).toBe(
      `clm simulate: --out ${folder} would hold the snapshots folder ${folder}: choose another folder`,
    );
    expect(await contentsOf(folder)).toEqual(files);
  }, 90_000);

  it('--out . in a folder of the user: refused, nothing deleted', async () => {
    // Prepare
    const { folder, files } = await userFolder();

    // Act
    const run = await simulate(['--customers', '2', '--days', '1', '--seed', '1', '--out', '.'], folder);

    // Assess
    expect(run.code).toBe(2);
    expect(lastLine(run.stderr)).toMatch(/^clm simulate: --out \. is a folder with files clm did not write/);
    expect(await contentsOf(folder)).toEqual(files);
  }, 90_000);
});

describe('clm simulate after an error', () => {
  it('exits by itself from outside the project when the snapshots folder is missing', async () => {
    // Act
    const run = await simulate(['--snapshots', 'no-such-folder', '--out', 'out'], dir);

    // Assess
    expect(run.code).toBe(2);
    expect(lastLine(run.stderr)).toBe('clm simulate: snapshots folder no-such-folder does not exist');
    expect(await readdir(dir)).toEqual([]);
  }, 90_000);

  it('fails mid-run, exits, and leaves no emulator process behind', async () => {
    // Prepare: a day "file" that cannot be read, found only once the emulators run
    const { folder } = await userFolder();
    await mkdir(join(folder, '2026-03-03.csv'));

    // Act
    const run = await simulate(['--snapshots', folder, '--out', join(dir, 'out')], dir);

    // Assess
    expect(run.code).toBe(2);
    expect(lastLine(run.stderr)).toMatch(/^clm simulate: EISDIR/);
    expect(run.children.length).toBeGreaterThan(0);
    expect(await survivorsOf(run.children)).toEqual([]);
  }, 90_000);
});
