import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/clm.js', import.meta.url));

describe('the clm command', () => {
  it('runs from package.json bin and sets the exit code', async () => {
    // Act
    const help = await promisify(execFile)(process.execPath, [BIN, '--help']);
    const failure = await promisify(execFile)(process.execPath, [
      BIN,
      'validate',
      'missing-file.csv',
      '--json',
    ]).catch((error: { code: number; stdout: string }) => error);

    // Assess
    expect(help.stdout).toContain('Usage: clm <command>');
    expect(failure).toMatchObject({ code: 2 });
    expect(JSON.parse((failure as { stdout: string }).stdout)).toMatchObject({ error: 'no such file' });
  });
});
