import { cmdAm } from './am-cli.js';
import { exitWithError } from './usage-error.js';

/**
 * `rfl-patch am` on its own: what the bin runs for `am`, from the one-file CommonJS
 * build of this module and its imports (`dist/am.cjs`, written by
 * scripts/bundle-check.mjs), which Node loads faster than the ES module graph.
 */
export function amMain(argv: string[]): void {
  cmdAm(argv).then((code) => {
    process.exitCode = code;
  }, exitWithError);
}
