#!/usr/bin/env node
// Installs the Debian/Ubuntu packages the test suite needs when they are missing, so that on a fresh
// root machine `npm test` skips nothing. Exits non-zero, naming the package, when one cannot be
// installed. Without root it only lists what is missing (the tests that need it then report
// themselves as skipped), and under CI (CI set, not empty/false/0) that is a failure at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const glob = (dir, re) => {
  try {
    return readdirSync(dir).some((f) => re.test(f));
  } catch {
    return false;
  }
};

/** package -> how to tell it is there */
const NEEDED = {
  iproute2: () => has('ip'),
  'util-linux': () => has('setpriv'),
  coreutils: () => has('timeout') && has('dd'),
  postgresql: () => glob('/usr/lib/postgresql', /^\d+$/),
  wrk: () => has('wrk'),
  chromium: () => existsSync('/usr/bin/chromium'),
  'qemu-system-x86': () => has('qemu-system-x86_64'),
  'linux-image-amd64': () => glob('/boot', /^vmlinuz-/),
  'busybox-static': () => existsSync('/bin/busybox') || existsSync('/usr/bin/busybox'),
  e2fsprogs: () => has('mkfs.ext4'),
  zstd: () => has('zstd'),
  xz: () => has('xz'),
  // A signal at a chosen instant of `isobench run` (harness/run/run.kernel.test.ts).
  strace: () => has('strace'),
  // Container runtimes (harness/runtime/runtimes.kernel.test.ts): lxc-execute, runc, crun.
  lxc: () => has('lxc-execute'),
  runc: () => has('runc'),
  crun: () => has('crun'),
};
const PKG_NAME = { xz: 'xz-utils' };

const missingNow = () =>
  Object.entries(NEEDED)
    .filter(([, ok]) => !ok())
    .map(([p]) => PKG_NAME[p] ?? p);
const missing = missingNow();
if (missing.length === 0) process.exit(0);
const ci = !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());
if (process.getuid?.() !== 0 || !has('apt-get')) {
  console.error(
    `isobench tests: missing packages ${missing.join(' ')} (not root or no apt-get: tests that need them will be skipped${ci ? ', which fails under CI' : ''})`,
  );
  process.exit(ci ? 1 : 0);
}
console.error(`isobench tests: installing ${missing.join(' ')} ...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status;
if (apt(['update', '-q']) !== 0)
  console.error('isobench tests: apt-get update failed; trying the install anyway');
// One install for all, then one per package still missing, so the failure names its package.
if (apt(['install', '-y', '-q', '--no-install-recommends', ...missing]) !== 0) {
  for (const p of missingNow()) apt(['install', '-y', '-q', '--no-install-recommends', p]);
}
const still = missingNow();
if (still.length > 0) {
  console.error(
    `isobench tests: could not install ${still.join(' ')} (apt-get failed for ${still.length === 1 ? 'it' : 'them'}; see above)`,
  );
  process.exit(1);
}
