/** A usage error: the CLI prints it with a hint and exits with status 2. */
export class UsageError extends Error {}

/**
 * Report a command's error on stderr and set the exit status: 2 for usage errors
 * (ours and parseArgs'), else the error's own `exitCode` or 1.
 */
export function exitWithError(e: unknown): void {
  const err = e as Error & { exitCode?: number; code?: string };
  const usage = e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS') === true;
  process.stderr.write(`rfl-patch: ${err.message}\n`);
  if (usage) process.stderr.write("Try 'rfl-patch --help'.\n");
  // AmUsageError and the commands' own errors carry their exit status.
  process.exitCode = usage ? 2 : (err.exitCode ?? 1);
}
