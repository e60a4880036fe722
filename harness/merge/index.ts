/** `isobench merge`: shard folders of one plan joined into one results folder. */
export { type MergeMainOptions, mergeMain } from './main.js';
export {
  formatIndexRanges,
  type MergeOptions,
  type MergeOutcome,
  mergeOutcome,
  mergeResults,
} from './merge.js';
export { csvRecords, mergeSamples } from './samples.js';
