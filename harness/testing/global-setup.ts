/**
 * vitest globalSetup: every test run starts from a build of the code in the tree (see build.ts),
 * and records the isobench cgroups that already exist on the host (another run's, or a killed
 * run's that nobody cleaned up): tests that look for their own cgroups or for leaks ignore those.
 */
import type { TestProject } from 'vitest/node';
import { scanCgroups } from '../cleanup.js';
import { ensureFreshBuild } from './build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    preexistingCgroups: string[];
  }
}

export default function setup(project: TestProject): void {
  ensureFreshBuild();
  const preexisting = [...scanCgroups().keys()].sort();
  if (preexisting.length > 0)
    process.stderr.write(
      `note: ${preexisting.length} isobench cgroup(s) existed before the tests and are not theirs ` +
        `(ignored by the leak checks; \`isobench cleanup\` removes a dead run's): ${preexisting.join(', ')}\n`,
    );
  project.provide('preexistingCgroups', preexisting);
}
