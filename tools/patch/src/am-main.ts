import { cmdAm } from './am-cli.js';
import { exitWithError } from './usage-error.js';

/**
 * `rfl-patch am` on its own: what the bin runs for `am`, from the one-file CommonJS
 * build of this module and its imports (`dist/am.cjs`, written by
 * scripts/bundle.mjs), which Node loads faster than the ES module graph.
 */
export function amMain(argv: string[]): void {
  cmdAm(argv).then((code) => {
    process.exitCode = code;
    // Done: everything is written and git has what it needs. Leaving now skips tearing
    // down a heap the run filled (about 70 ms of CPU and 15 ms of wall for a 400-patch
    // series); with output still queued (stdout or stderr asynchronous, as pipes are on
    // some systems), the process ends the usual way once it is written.
    if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) {
      process.exit(code);
    }
  }, exitWithError);
}
