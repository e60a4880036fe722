// Emits the report page's script, reports/client/main.ts, as dist/reports/client/main.js: the
// text that report.html inlines and allows by its sha256 (reports/document.ts). `npm run build`
// type-checks it first (tsc -p reports/client/tsconfig.json, DOM library); this step only strips
// the types, file by file with TypeScript's own transpiler, so it needs no bundler. The file
// imports types only, so the output is one self-contained module script.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'reports', 'client', 'main.ts');
const out = join(root, 'dist', 'reports', 'client', 'main.js');
const { outputText, diagnostics } = ts.transpileModule(readFileSync(source, 'utf8'), {
  fileName: source,
  reportDiagnostics: true,
  compilerOptions: {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: true,
    removeComments: false,
  },
});
if (diagnostics?.length) {
  console.error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
  process.exit(1);
}
if (/^\s*import\s+(?!type\b)/m.test(outputText)) {
  console.error(`isobench: ${source} imports a value: the page script must import types only`);
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, outputText);
