#!/usr/bin/env node
// Installs the Debian/Ubuntu packages the test suite needs when they are missing, so that on a fresh
// root machine `npm test` skips nothing. Without root it only lists what is missing (the tests that
// need it then report themselves as skipped, and fail under CI=true).
import { execFileSync, spawnSync } from 'node:child_process';
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
  'e2fsprogs': () => has('mkfs.ext4'),
  zstd: () => has('zstd'),
  xz: () => has('xz'),
};
const PKG_NAME = { xz: 'xz-utils' };

const missing = Object.entries(NEEDED)
  .filter(([, ok]) => !ok())
  .map(([p]) => PKG_NAME[p] ?? p);
if (missing.length === 0) process.exit(0);
if (process.getuid?.() !== 0 || !has('apt-get')) {
  console.error(`isobench tests: missing packages ${missing.join(' ')} (not root or no apt-get: tests that need them will be skipped)`);
  process.exit(0);
}
console.error(`isobench tests: installing ${missing.join(' ')} ...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
