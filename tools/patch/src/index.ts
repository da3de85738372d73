export { parseAuthor } from './address.js';
export {
  type AmOptions,
  type AmOutput,
  type AmResult,
  AmUsageError,
  am,
  amAbort,
  amContinue,
  amCurrentPatch,
  amSkip,
} from './am.js';
export { ApplyError, applyToTree } from './apply.js';
export { decodeBase85, encodeBase85 } from './base85.js';
export { applyDelta, type BinaryHunk, encodeLiteral, parseBinaryPatch } from './binary.js';
export { checkPatch } from './check/engine.js';
export { checkMailbox, type MailboxPatch } from './check/mailbox.js';
export { formatFinding, formatReport, type OutputOptions } from './check/output.js';
export { MISSPELLINGS } from './check/spelling.js';
export type { CheckOptions, CheckResult, Finding, Level } from './check/types.js';
export { deltaFromSplices, makeDelta, type Splice } from './delta.js';
export { applyHunks, HunkError } from './diff-apply.js';
export {
  type FormatOptions,
  type FormattedMail,
  formatSeries,
  joinStdout,
  sanitizeSubject,
} from './format.js';
export { formatIdent, formatMailDate, parseMailDate } from './ident.js';
export {
  cleanupSubject,
  isPatchBreak,
  type MailInfo,
  type MailinfoOptions,
  mailinfo,
} from './mailinfo.js';
export { isFromLine, readMails, type SplitOptions, splitMbox } from './mbox.js';
export { appendSignoff, stripspace } from './message.js';
export { decodeBase64, decodeHeader, decodeQuotedPrintable } from './mime.js';
export { hashObject, MemoryObjects, type ObjectAccess } from './objects.js';
export { type FilePatch, type Hunk, PatchParseError, parsePatch } from './patch.js';
export { internalPatchId, type PatchId, patchIds } from './patch-id.js';
export { quoteC, unquoteC } from './quote.js';
export {
  CREATION_FACTOR_DEFAULT,
  computeAssignment,
  formatRangeDiff,
  type RangeDiffEntry,
  type RangeDiffOptions,
  type RangeDiffSide,
  type RangePatch,
  rangeDiff,
  readGitRange,
  readMailRange,
} from './range-diff/index.js';
export {
  type PatchReview,
  type ReviewCommand,
  type ReviewOptions,
  reviewSeries,
  type SeriesReview,
  type StepResult,
} from './review.js';
export {
  findSeries,
  parseSubject,
  type Series,
  type SubjectTag,
  type ThreadedMessage,
} from './series.js';
export { type ArchivedSeries, listSeries, type SeriesState } from './series-state.js';
export {
  addTrailers,
  type CollectedTrailer,
  type CollectOptions,
  collectTrailers,
  FOLLOWUP_TAGS,
  missingTrailers,
  type PatchTrailers,
  parseFollowupTrailers,
  type RefusedTrailer,
  type Trailer,
  trailersForPatchId,
} from './trailers.js';
export { type BlobEntry, checkPathSafe, TreeEditor, UnsafePathError } from './tree.js';
