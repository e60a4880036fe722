/** vitest globalSetup: every test run starts from a build of the code in the tree (see build.ts). */
import { ensureFreshBuild } from './build.js';

export default function setup(): void {
  ensureFreshBuild();
}
