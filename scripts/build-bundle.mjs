// Bundles `isobench exec`'s modules (dist/harness/exec.js and all it imports, as tsc emitted them)
// into dist/harness/exec.bundle.js, which cli.ts loads for a plain exec command line: Node 20
// resolves, reads and links each ES module on its own, and the thirty-odd modules of exec's graph
// cost every `isobench exec` more than one file of the same code (issue 15: start-up).
// Kept out of the bundle, so that one copy of each exists in the process:
// - harness/errors.js: the error classes cli.ts tests with instanceof;
// - node: built-ins.
// The teardown registry is bundled: its set of live registries sits on globalThis (registry.ts).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const harness = join(root, 'dist', 'harness');
const input = join(harness, 'exec.js');
const errors = join(harness, 'errors.js');
if (!existsSync(input)) {
  console.error(`isobench: ${input} is missing: run tsc -p tsconfig.json first (npm run build)`);
  process.exit(1);
}
await build({
  input,
  platform: 'node',
  logLevel: 'warn',
  external: (id, importer) =>
    id.startsWith('node:') || (importer !== undefined && resolve(dirname(importer), id) === errors),
  output: { file: join(harness, 'exec.bundle.js'), format: 'esm', comments: false },
});
