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
const builds = [
  ['the container init', out, sources, []],
  ['the load generator', loadgen, [join(root, 'workloads', 'load', 'native', 'loadgen.c')], ['-lm']],
];
for (const [what, target, files, libs] of builds) {
  try {
    execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-o', target, ...files, ...libs], { stdio: 'inherit' });
  } catch (err) {
    console.error(
      `isobench: could not compile ${what} with ${cc} (${err.message}). ` +
        'Install a C compiler (Debian/Ubuntu: apt-get install gcc libc6-dev) and run npm run build again.',
    );
    process.exit(1);
  }
  chmodSync(target, 0o755);
}
