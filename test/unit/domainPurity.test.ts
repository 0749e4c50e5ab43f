import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DOMAIN = fileURLToPath(new URL('../../lambdas/domain', import.meta.url));
const FORBIDDEN = /from ['"](@aws-sdk\/|aws-sdk|aws-cdk-lib|@aws-lambda-powertools\/|node:fs|fs['"/])/;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? sources(join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

describe('the domain core', () => {
  it('imports no AWS SDK, CDK, Powertools or file system module', async () => {
    // Prepare
    const files = await sources(DOMAIN);

    // Act
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (FORBIDDEN.test(text)) offenders.push(file);
    }

    // Assess
    expect(files.length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
