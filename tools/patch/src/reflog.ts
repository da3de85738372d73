import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One commit of a series as HEAD's reflog names it. */
export interface ReflogStep {
  commit: string;
  /** The reflog message, e.g. `am: <subject>`. */
  message: string;
}

/**
 * `git am` moves HEAD once per patch, so its reflogs (HEAD's and the branch's) get one
 * entry per commit: `<old> <new> <committer> <time>\tam: <subject>`. `rfl-patch am` builds
 * the commits in memory and moves HEAD once with `git update-ref`, which writes one entry
 * from the start to the last commit. This replaces that entry with the series' entries,
 * same committer and time, as `git am` would have left them.
 *
 * Only for the files ref backend (`logs/` beside the refs), and under the locks git takes
 * to edit a reflog (`<ref>.lock` and `logs/<ref>.lock`, the latter holding the new log until
 * it is renamed into place). A log is left as update-ref wrote it when a lock is held by
 * someone else or its last entry is not the one expected (reflogs turned off, a concurrent
 * update, another ref backend): the series is applied either way, and the reflog is only a
 * record.
 */
export function spreadReflog(
  gitDir: string,
  commonDir: string,
  from: string,
  steps: readonly ReflogStep[],
): void {
  if (steps.length < 2) return;
  const last = steps.at(-1)!;
  const refs = ['HEAD'];
  const symref = /^ref: (refs\/\S+)\n?$/.exec(readText(join(gitDir, 'HEAD')) ?? '');
  if (symref) refs.push(symref[1]!);
  for (const ref of refs) {
    const dir = ref === 'HEAD' ? gitDir : commonDir;
    withLocks([join(dir, `${ref}.lock`), join(dir, 'logs', `${ref}.lock`)], () => {
      const log = join(dir, 'logs', ref);
      const text = readText(log);
      if (text === undefined || !text.endsWith('\n')) return false;
      const start = text.lastIndexOf('\n', text.length - 2) + 1;
      const entry = text.slice(start, -1);
      const head = `${from} ${last.commit} `;
      const tail = `\t${last.message}`;
      if (!entry.startsWith(head) || !entry.endsWith(tail)) return false;
      const who = entry.slice(head.length, entry.length - tail.length);
      let old = from;
      let spread = '';
      for (const step of steps) {
        spread += `${old} ${step.commit} ${who}\t${step.message}\n`;
        old = step.commit;
      }
      return text.slice(0, start) + spread;
    });
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock files `[refLock, logLock]` (exclusive creation, as git does); when both
 * are had, `edit` returns the log's new content, which is written to the log's lock and
 * renamed over the log, or false to leave the log alone. Locks are always released.
 */
function withLocks(locks: [string, string], edit: () => string | false): void {
  const held: string[] = [];
  try {
    for (const lock of locks) {
      try {
        closeSync(openSync(lock, 'wx', 0o666));
      } catch {
        return;
      }
      held.push(lock);
    }
    const content = edit();
    if (content === false) return;
    const fd = openSync(locks[1], 'w');
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(locks[1], locks[1].slice(0, -'.lock'.length));
    held.pop();
  } finally {
    for (const lock of held) {
      try {
        unlinkSync(lock);
      } catch {
        // Already gone: nothing to release.
      }
    }
  }
}

/**
 * A reflog message as git stores it (`copy_reflog_msg`): runs of whitespace become one
 * space, and leading and trailing whitespace goes.
 */
export function reflogMessage(message: string): string {
  return message.replace(/[ \t\n\r]+/g, ' ').trim();
}
