// Compiles harness/container/*.c into dist/bin/isobench-init (see the comment in init.c for why
// the container init is C) and workloads/load/native/loadgen.c into dist/bin/isobench-loadgen (the
// load generator's sending loop: see the comment at its top). A C compiler is already needed for better-sqlite3 when no prebuilt
// binary can be downloaded, so this adds no new requirement on such hosts.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bin', 'isobench-init');
mkdirSync(dirname(out), { recursive: true });
const cc = process.env.CC || 'cc';
const dir = join(root, 'harness', 'container');
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => join(dir, f));
const loadgen = join(dirname(out), 'isobench-loadgen');
// The init is linked statically where the C library allows it (glibc's libc.a, in libc6-dev): every
// container start execs it, and the dynamic loader's work (mapping libc, relocations) was a
// quarter of a millisecond of each start here (contained, own network namespace: 4.88 ms against
// 4.64 ms, medians of 80, Node-spawned). It calls nothing that needs NSS or dlopen. The load
// generator stays dynamic: getaddrinfo needs the shared NSS modules.
const builds = [
  ['the container init', out, sources, [], true],
  [
    'the load generator',
    loadgen,
    [join(root, 'workloads', 'load', 'native', 'loadgen.c')],
    ['-lm', '-pthread'],
    false,
  ],
];
for (const [what, target, files, libs, preferStatic] of builds) {
  const args = ['-O2', '-Wall', '-Wextra', '-o', target, ...files, ...libs];
  if (preferStatic) {
    try {
      // Quiet: a C library without a static archive (no libc.a) is not an error here.
      execFileSync(cc, ['-static', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      chmodSync(target, 0o755);
      continue;
    } catch {
      // Linked dynamically below, as on every host before.
    }
  }
  try {
    execFileSync(cc, args, { stdio: 'inherit' });
  } catch (err) {
    console.error(
      `isobench: could not compile ${what} with ${cc} (${err.message}). ` +
        'Install a C compiler (Debian/Ubuntu: apt-get install gcc libc6-dev) and run npm run build again.',
    );
    process.exit(1);
  }
  chmodSync(target, 0o755);
}
