// In every fault-suite test file: whatever a scenario started is stopped and removed after it,
// passed or failed.
import { afterEach } from 'vitest';
import { cleanupAll } from './util.ts';

afterEach(cleanupAll, 120_000);
