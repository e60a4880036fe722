/** `isobench compare`: two results folders in, a noise-aware three-valued verdict out. */

export { formatHtml } from '../../reports/compare/page.js';
export {
  type CompareOptions,
  type CompareReport,
  type CompareRow,
  compareRuns,
  exitCodeOf,
  type RowVerdict,
  type RunLabel,
  type Verdict,
} from './compare.js';
export { type Difference, type Differences, runDifferences } from './differences.js';
export { asciiBar } from './format.js';
export { type CompareMainOptions, compareMain } from './main.js';
export { formatMarkdown } from './markdown.js';
export { DEFAULT_METRICS, METRIC_ALIASES, parseMetric, parseThreshold } from './metrics.js';
export { pairingOf } from './pairing.js';
export { holm, judge, moreTrials, stepDown, VERDICT_RULES } from './stats.js';
export { formatText } from './text.js';
