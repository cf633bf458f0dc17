import { defineConfig } from 'vitest/config';

// npm run faults: the fault suite (e2e/faults), apart from `npm test`. Each scenario runs the real IOC
// as a child process and breaks something under load; they run one at a time, as they measure
// memory and time on a shared machine.
export default defineConfig({
  test: {
    include: ['e2e/faults/**/*.fault.ts'],
    globalSetup: ['e2e/faults/support/globalSetup.ts'],
    setupFiles: ['e2e/faults/support/setup.ts'],
    testTimeout: 8 * 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
