// Bundles exec-line.js (a plain `isobench exec` line: exec.js and all it imports, as tsc emitted
// them) into dist/harness/exec.bundle.cjs, one CommonJS file, which `isobench` (isobench.cjs) and
// cli.js load for such a line. Node 20 resolves, reads and links each ES module on its own, and
// its ES module loader is itself a cost the CommonJS loader, part of Node's start, does not add
// (issue 15: start-up). Everything is inside but node: built-ins; the bundle reports its own
// errors (exec-line.ts), and the teardown registry's set of live registries sits on globalThis
// (registry.ts), shared with any other copy in the process.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const harness = join(root, 'dist', 'harness');
const input = join(harness, 'exec-line.js');
if (!existsSync(input)) {
  console.error(`isobench: ${input} is missing: run tsc -p tsconfig.json first (npm run build)`);
  process.exit(1);
}
// The ES module bundle of earlier builds: nothing loads it any more.
rmSync(join(harness, 'exec.bundle.js'), { force: true });
await build({
  input,
  platform: 'node',
  logLevel: 'warn',
  // crash.ts imports the registry lazily (its other commands may never create anything); here
  // exec imports it anyway, so the bundle holds it once and the lazy import is a resolved promise.
  checks: { ineffectiveDynamicImport: false },
  external: (id) => id.startsWith('node:'),
  output: { file: join(harness, 'exec.bundle.cjs'), format: 'cjs', comments: false },
});
