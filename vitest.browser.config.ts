import { defineConfig } from 'vitest/config';

// Browser checks need Debian's chromium (`apt-get install -y chromium`); `.ci/run` installs it.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
