/** A usage error: the CLI prints it with a hint and exits with status 2. */
export class UsageError extends Error {}
