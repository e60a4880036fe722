import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Kernel and end-to-end tests start dist/ as real processes: build it first, fail on tsc errors.
    globalSetup: ['harness/testing/global-setup.ts'],
    include: ['harness/**/*.test.ts', 'workloads/**/*.test.ts', 'reports/**/*.test.ts', 'ci/**/*.test.ts'],
    // *.vm.test.ts need a pure cgroup v2 kernel: `npm run test:v2` runs them inside ci/kernel-vm.
    exclude: ['**/node_modules/**', 'dist/**', '**/*.vm.test.ts'],
    // Kernel tests create real cgroups and hogs on a 2-core machine: running files in parallel
    // would make CPU-split and IO-rate assertions meaningless.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
