import { defineConfig } from 'vitest/config';

/** The isolation-layer suite on cgroup v2, run inside the VM by `npm run test:v2`. */
export default defineConfig({
  test: {
    include: ['harness/isolation.kernel.test.ts', 'harness/**/*.vm.test.ts'],
    fileParallelism: false,
    // Everything runs about ten times slower under TCG emulation.
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
