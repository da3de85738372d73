export { computeAssignment } from './assignment.js';
export {
  diffSize,
  type Hunk as LineHunk,
  LineTable,
  splitTextLines,
  unifiedDiff,
} from './linediff.js';
export {
  CREATION_FACTOR_DEFAULT,
  formatRangeDiff,
  type RangeDiffEntry,
  type RangeDiffOptions,
  type RangeDiffSide,
  rangeDiff,
} from './range-diff.js';
export {
  gitRangeLogArgs,
  parseGitLog,
  type RangePatch,
  readGitRange,
  readMailRange,
} from './read.js';
