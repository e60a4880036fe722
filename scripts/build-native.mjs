// Compiles harness/container/*.c into dist/bin/isobench-init (see the comment in init.c for why
// the container init is C). A C compiler is already needed for better-sqlite3 when no prebuilt
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
try {
  execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-o', out, ...sources], { stdio: 'inherit' });
} catch (err) {
  console.error(
    `isobench: could not compile the container init with ${cc} (${err.message}). ` +
      'Install a C compiler (Debian/Ubuntu: apt-get install gcc libc6-dev) and run npm run build again.',
  );
  process.exit(1);
}
chmodSync(out, 0o755);
