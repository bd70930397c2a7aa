// Global setup of every test project: build the netio addon the DNS listeners use, as
// `npm run build` does. Without a C compiler the suite stops here and says so, rather than
// passing with only the dgram fallback tested. The compiler is the [native] group of
// scripts/prerequisites/debian-packages.txt; the unit project also checks its own [unit] group
// here (the arm64 cross compiler), so a missing package is named before any test runs.
import type { TestProject } from 'vitest/node';
import { buildNative } from '../../scripts/build-native.ts';
import { missingWithRemedy } from '../../scripts/prerequisites.ts';

export default function setup(project: TestProject): void {
  const groups = project.name === 'unit' ? ['native', 'unit'] : ['native'];
  const missing = missingWithRemedy(groups);
  if (missing !== undefined) {
    throw new Error(`the ${project.name} tests cannot run on this machine; missing:\n  - ${missing.lines.join('\n  - ')}\n${missing.remedy}`);
  }
  const result = buildNative();
  if (!result.built) throw new Error(`the netio addon cannot be built: ${result.reason}`);
}
