import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forks, not threads: the S3-compatible server and the CLI use process-wide state (env, cwd).
    pool: 'forks',
  },
});
