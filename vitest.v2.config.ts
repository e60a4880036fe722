import { defineConfig } from 'vitest/config';

/** The isolation-layer suite on cgroup v2, run inside the VM by `npm run test:v2`. */
export default defineConfig({
  test: {
    // Kernel and end-to-end tests start dist/ as real processes: build it first, fail on tsc errors.
    globalSetup: ['harness/testing/global-setup.ts'],
    include: [
      'harness/isolation*.kernel.test.ts',
      // Not yet: the runtimes' known answers on v2 (issue 18). In the VM, oci's cpu.weight 100 vs
      // 400 split 1:2.3 in 2 of 2 runs (lxc's held), and the crun test needs a hybrid host.
      'harness/**/*.vm.test.ts',
    ],
    fileParallelism: false,
    // Everything runs about ten times slower under TCG emulation.
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
