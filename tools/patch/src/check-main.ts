import { cmdCheck } from './check-cli.js';
import { exitWithError } from './usage-error.js';

/**
 * `rfl-patch check` on its own: what the bin runs for `check`, from the one-file
 * CommonJS build of this module and its imports (`dist/check.cjs`, written by
 * scripts/bundle.mjs), which Node loads faster than the ES module graph.
 */
export function checkMain(argv: string[]): void {
  try {
    process.exitCode = cmdCheck(argv);
  } catch (e) {
    exitWithError(e);
  }
}
