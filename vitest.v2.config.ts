import { defineConfig } from 'vitest/config';

/** The isolation-layer suite on cgroup v2, run inside the VM by `npm run test:v2`. */
export default defineConfig({
  test: {
    // Kernel and end-to-end tests start dist/ as real processes: build it first, fail on tsc errors.
    globalSetup: ['harness/testing/global-setup.ts'],
    include: [
      'harness/isolation*.kernel.test.ts',
      // lxc, runc and crun (crun refuses hybrid hosts, so its known answers run only here).
      'harness/runtime/runtimes.kernel.test.ts',
      'harness/**/*.vm.test.ts',
    ],
    fileParallelism: false,
    // Everything runs about ten times slower under TCG emulation.
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
