import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'contract/**/*.test.ts',
      'server/**/*.test.ts',
      'simulators/**/*.test.ts',
      'client/**/*.test.ts',
      'bench/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll waits for a page to show something (a photo shrunk in the browser, a status):
    // 1 s, vitest's default, is too short on a 2-core machine busy with Chromium. A poll that is
    // itself a latency check names its own timeout.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // two test files at once on the 2-core machine (vitest's default there is one): the suite in about
    // half the time. The browser tests wait for what the page shows, not for time, so they hold under the load.
    maxWorkers: 2,
    // the default output, then a summary of what the run left out for a missing service or tool
    reporters: ['default', './e2e/support/skipReport.ts'],
  },
});
