import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but Node; `lab` needs root and network namespaces;
// `browser` needs Debian's Chromium. A project whose prerequisites are missing fails in its
// global setup with the reason, instead of passing with nothing run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/support/build-native.ts'],
          testTimeout: 30_000,
          // Some files start a real daemon in beforeAll: on a loaded 2-core machine that can take
          // longer than vitest's 10 s default.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          globalSetup: ['test/support/build-native.ts', 'test/lab/prerequisites.ts'],
          // Namespaces are cheap but each lab spends seconds on setup: run files one at a time
          // so two labs never compete for the two cores.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/build-native.ts', 'test/browser/prerequisites.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
