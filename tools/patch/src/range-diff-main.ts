import { cmdRangeDiff } from './range-diff-cli.js';
import { exitWithError } from './usage-error.js';

/**
 * `rfl-patch range-diff` on its own: what the bin runs for `range-diff`, from the one-file
 * CommonJS build of this module and its imports (`dist/range-diff.cjs`, written by
 * scripts/bundle.mjs), which Node loads faster than the ES module graph.
 */
export function rangeDiffMain(argv: string[]): void {
  cmdRangeDiff(argv).then((code) => {
    process.exitCode = code;
  }, exitWithError);
}
