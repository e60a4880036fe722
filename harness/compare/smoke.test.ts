import { it } from "vitest";
import { compareRuns } from './compare.js';
import { formatText } from './text.js';
import { formatMarkdown } from './markdown.js';
import { syntheticRun } from './testutil.js';
it("smoke", () => {
const a = syntheticRun({ seed: 1 });
const b = syntheticRun({ seed: 2, effects: [{ container: 'web', metric: 'latencyP99Us', factor: 1.3, phase: 'colocated' }] });
b.host.kernel = '6.9.0';
const t0 = Date.now();
const rep = compareRuns(a, b, { thresholdPct: 5 });
console.log(Date.now() - t0, 'ms');
console.log(formatText(rep));
console.log(formatMarkdown(rep).slice(0, 3000));
});
