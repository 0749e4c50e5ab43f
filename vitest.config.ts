import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/buildTemplates.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Memory tests call global.gc() so heap readings measure what is retained, not garbage.
    execArgv: ['--expose-gc'],
    // Handlers log through Powertools; tests read outcomes, not log lines.
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
    exclude: ['test/browser/**', 'node_modules/**'],
  },
});
