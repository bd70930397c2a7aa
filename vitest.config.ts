import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but Node; `lab` needs root and network namespaces;
// `browser` needs Debian's Chromium. A project whose prerequisites are missing fails in its
// global setup with the reason, instead of passing with nothing run.
//
// Most files wait more than they compute (a daemon starting, Chromium loading a page, a timer), so
// unit and browser files share one group of three workers (vitest's default, one fewer than the
// cores, ran the unit files one at a time on two cores), and the labs come after, two at a time.
// Projects in one group must have the same number of workers.
const SHARED_WORKERS = 3;
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          maxWorkers: SHARED_WORKERS,
          sequence: { groupOrder: 0 },
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
          // After the other projects. Each lab has namespaces of its own (sg-<pid>-<random>-…),
          // so two labs side by side cannot see each other; most of a lab's time is waiting
          // for its gateway and clients, so two at once keep the two cores busy.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // The web UI is built once, here: files running side by side must not rebuild webui/dist
          // under each other's daemons.
          globalSetup: ['test/support/build-native.ts', 'test/browser/prerequisites.ts'],
          maxWorkers: SHARED_WORKERS,
          sequence: { groupOrder: 0 },
          // A page waiting on the daemon (a backup before an upgrade, a list reload) can take
          // seconds while two other files run beside it: vitest's one second is too short for
          // expect.poll here. A poll still fails, with its last value, when the page never gets there.
          expect: { poll: { timeout: 15_000 } },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
