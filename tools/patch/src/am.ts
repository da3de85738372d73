import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyError, applyToTree, type MergeFile } from './apply.js';
import { formatIdent, parseMailDate, splitIdent } from './ident.js';
import { mailinfo } from './mailinfo.js';
import { appendSignoff, stripspace } from './message.js';
import { type FilePatch, parsePatch } from './patch.js';
import { type ReflogStep, reflogMessage } from './reflog.js';
import { Repo, ZERO_OID } from './repo.js';
import { AmState, type SessionOptions } from './state.js';
import { checkPathSafe, TreeEditor } from './tree.js';

/** Options of `rfl-patch am`, named after the `git am` flags. */
export type AmOptions = Partial<SessionOptions>;

/** The outcome of an `am` run. */
export interface AmResult {
  /** Commits created, in order. */
  commits: { subject: string; commit: string }[];
  /** Set when the run stopped at a patch; the session can be resumed. */
  stopped?: { index: number; subject: string; reason: string };
}

/** Where messages for the user go (stdout-style progress, stderr-style errors). */
export interface AmOutput {
  info(line: string): void;
  error(line: string): void;
}

const silent: AmOutput = { info: () => {}, error: () => {} };

/** An error that ends the command before any patch is tried (exit status 2 or 1). */
export class AmUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Parsed {
  subject: string;
  warnings: string[];
  message: Buffer;
  author: { name: string; email: string; date: string };
  patch: Buffer;
}

function parseMail(mail: Buffer, opts: SessionOptions, committer: string): Parsed {
  const info = mailinfo(mail, opts);
  const msg = stripspace(Buffer.concat([Buffer.from(`${info.subject}\n\n`), info.log]));
  const now = `${Math.floor(Date.now() / 1000)} +0000`;
  const date = (info.date && parseMailDate(info.date)) || now;
  const { name, email } = splitIdent(committer);
  return {
    subject: info.subject,
    warnings: info.warnings,
    message: opts.signoff ? appendSignoff(msg, `${name} <${email}>`) : msg,
    author: { name: info.name, email: info.email, date },
    patch: info.patch,
  };
}

interface ConflictStage {
  path: string;
  oids: [string, string, string];
}

/** Puts stages 1-3 of each conflicted path in the index, as a failed `git am -3` does. */
function markConflicts(repo: Repo, stages: ConflictStage[]): void {
  let info = '';
  for (const s of stages) {
    info += `0 ${ZERO_OID}\t${s.path}\n`;
    s.oids.forEach((oid, k) => {
      info += `100644 ${oid} ${k + 1}\t${s.path}\n`;
    });
  }
  repo.run(['update-index', '--index-info'], Buffer.from(info, 'latin1'));
}

function mergeWithGit(repo: Repo, label: string, stages: ConflictStage[]): MergeFile {
  return (path, base, ours, theirs) => {
    const oids: [string, string, string] = [
      repo.store.write('blob', base),
      repo.store.write('blob', ours),
      repo.store.write('blob', theirs),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'rfl-merge-'));
    try {
      const files = ['ours', 'base', 'theirs'].map((n) => join(dir, n));
      writeFileSync(files[0]!, ours);
      writeFileSync(files[1]!, base);
      writeFileSync(files[2]!, theirs);
      const args = ['merge-file', '-p', '-L', 'HEAD', '-L', 'base', '-L', label, ...files];
      try {
        return {
          content: execFileSync('git', args, { cwd: repo.workTree, stdio: 'pipe' }),
          conflict: false,
        };
      } catch (e) {
        const err = e as { status?: number; stdout?: Buffer };
        if (!err.stdout || !err.status || err.status < 0) throw e;
        stages.push({ path, oids });
        return { content: err.stdout, conflict: true };
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/**
 * The work-tree checks `git am` makes before touching a file: a file with local changes
 * (`does not match index`), or an untracked file where the patch creates one (`already
 * exists in working directory`), stops the patch instead of being overwritten. The work
 * tree still shows the session's starting commit, so "untracked" means not in that tree.
 */
async function checkWorkTree(
  repo: Repo,
  tree: TreeEditor,
  startTree: TreeEditor,
  files: FilePatch[],
  dirty: Set<string>,
): Promise<void> {
  for (const f of files) {
    for (const p of [f.oldPath, f.newPath])
      if (p !== undefined && dirty.has(p)) throw new ApplyError(`${p}: does not match index`, p);
    const created =
      f.kind === 'create' || f.kind === 'rename' || f.kind === 'copy' ? f.newPath : undefined;
    if (created === undefined || (await tree.get(created)) || (await startTree.get(created)))
      continue;
    checkPathSafe(created);
    if (lstatOrUndefined(join(repo.workTree, Buffer.from(created, 'latin1').toString())))
      throw new ApplyError(`${created}: already exists in working directory`, created);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The preimage's (abbreviated) id on a diff's `index` line. */
const INDEX_LINE = /^index ([0-9a-f]{4,40})\.\./gm;

/**
 * Asks git for the preimages `mails` name on their `index` lines, in one go, before
 * anything else (see ObjectStore.prefetchBlobs): git streams them while the session
 * starts and the first patches apply.
 */
function prefetchPreimages(repo: Repo, mails: Buffer[]): void {
  const preimages: string[] = [];
  for (const mail of mails)
    for (const m of mail.toString('latin1').matchAll(INDEX_LINE)) preimages.push(m[1]!);
  repo.store.prefetchBlobs(preimages);
}

/** What a session needs from git before its first patch: the committer and dirty files. */
interface SessionStart {
  committer: string;
  dirty: Set<string>;
}

/**
 * Starts the git commands {@link runSession} needs before its first patch, without
 * waiting: they run (on another core) while the session sets itself up.
 */
function startSession(repo: Repo): Promise<SessionStart> {
  const committer = repo.runAsync(['var', 'GIT_COMMITTER_IDENT']);
  const dirty = repo.runAsync(['diff-files', '--name-only', '-z']);
  return Promise.all([committer, dirty]).then(([c, d]) => ({
    committer: c.toString().trim(),
    dirty: new Set(d.toString('latin1').split('\0').filter(Boolean)),
  }));
}

/**
 * One `am` session over an open repository: applies mails `next..last` of the state,
 * building commits in memory (loose objects, no index), then moves the work tree and HEAD
 * once. On a failure the tree moves to the last good commit and the state records the
 * failed patch for `--continue`, `--skip` or `--abort`.
 */
/** What HEAD's reflog says of each commit of a run: `am: <subject>`, as git am writes. */
function reflogSteps(result: AmResult): ReflogStep[] {
  return result.commits.map(({ subject, commit }) => ({
    commit,
    message: reflogMessage(`am: ${subject}`),
  }));
}

async function runSession(
  repo: Repo,
  state: AmState,
  out: AmOutput,
  head0: string | undefined = repo.head(),
  started: Promise<SessionStart> = startSession(repo),
  prefetched = false,
): Promise<AmResult> {
  // Awaited below; this only keeps an early throw from leaving the rejection unhandled.
  started.catch(() => {});
  const opts = state.options();
  const start = head0;
  let head = start;
  const result: AmResult = { commits: [] };
  const last = state.last;
  let n = state.next;
  if (!prefetched) {
    const mails: Buffer[] = [];
    for (let k = n; k <= last; k++) mails.push(state.mail(k));
    prefetchPreimages(repo, mails);
  }
  const tree = new TreeEditor(repo.store, await repo.treeOf(head));
  const startTree = new TreeEditor(repo.store, await repo.treeOf(head));
  const { committer, dirty } = await started;
  for (; n <= last; n++) {
    const parsed = parseMail(state.mail(n), opts, committer);
    out.info(`Applying: ${parsed.subject}`);
    for (const w of parsed.warnings) out.error(`warning: ${w}`);
    let reason: string | undefined;
    let conflicts: string[] = [];
    const conflictStages: ConflictStage[] = [];
    if (
      parsed.patch.length === 0 ||
      !/^(diff |--- |Index: )/m.test(parsed.patch.toString('latin1'))
    ) {
      reason = 'Patch is empty.';
    } else if (!parsed.author.email) {
      reason = 'Patch does not have a valid e-mail address.';
    } else {
      try {
        const files = parsePatch(parsed.patch);
        await checkWorkTree(repo, tree, startTree, files, dirty);
        const applied = await applyToTree(
          repo.store,
          tree,
          files,
          opts.threeWay ? { merge: mergeWithGit(repo, parsed.subject, conflictStages) } : {},
        );
        conflicts = applied.conflicts;
        if (applied.merged.length) out.info('Using index info to reconstruct a base tree...');
      } catch (e) {
        reason = (e as Error).message;
      }
    }
    if (reason === undefined && conflicts.length === 0) {
      const treeOid = tree.write();
      const author = formatIdent(parsed.author.name, parsed.author.email, parsed.author.date);
      const body = Buffer.concat([
        Buffer.from(
          `tree ${treeOid}\n${head ? `parent ${head}\n` : ''}author ${author}\ncommitter ${committer}\n\n`,
          'utf8',
        ),
        parsed.message,
      ]);
      head = repo.store.write('commit', body);
      result.commits.push({ subject: parsed.subject, commit: head });
      continue;
    }
    await repo.checkout(start, reflogSteps(result));
    if (conflicts.length) {
      const conflicted = tree.write();
      repo.run(['read-tree', '-m', '-u', await repo.treeOf(head), conflicted]);
      markConflicts(repo, conflictStages);
      for (const c of conflicts) out.error(`CONFLICT (content): Merge conflict in ${c}`);
      reason = 'Failed to merge in the changes.';
    } else {
      out.error(`error: ${reason}`);
      const failed = /^patch failed: (.*):\d+$/.exec(reason ?? '');
      if (failed) out.error(`error: ${failed[1]}: patch does not apply`);
    }
    state.next = n;
    state.stop(parsed.patch, parsed.message, parsed.author);
    const num = String(n).padStart(4, '0');
    out.error(`Patch failed at ${num} ${parsed.subject}`);
    out.error('When you have resolved this problem, run "rfl-patch am --continue".');
    out.error('If you prefer to skip this patch, run "rfl-patch am --skip" instead.');
    out.error('To restore the original branch and stop patching, run "rfl-patch am --abort".');
    result.stopped = { index: n, subject: parsed.subject, reason: reason ?? 'conflict' };
    return result;
  }
  await repo.checkout(start, reflogSteps(result));
  state.remove();
  return result;
}

function withRepo<T>(cwd: string, fn: (repo: Repo) => Promise<T>): Promise<T> {
  const repo = Repo.open(cwd);
  return fn(repo).finally(() => repo.close());
}

/**
 * Applies `mails` as commits on HEAD, like `git am`.
 */
export function am(
  cwd: string,
  mails: Buffer[],
  options: AmOptions = {},
  out: AmOutput = silent,
): Promise<AmResult> {
  return withRepo(cwd, async (repo) => {
    const state = new AmState(repo.gitDir);
    if (state.exists())
      throw new AmUsageError(
        `previous am session in ${state.dir} still in progress; use --continue, --skip or --abort`,
        2,
      );
    const head = repo.openedHead;
    prefetchPreimages(repo, mails);
    // The dirty-index check and the session's own questions to git run side by side.
    const stagedAsk = head
      ? repo.runAsync(['diff-index', '--cached', '--name-only', 'HEAD', '--'])
      : undefined;
    const started = startSession(repo);
    started.catch(() => {});
    if (stagedAsk) {
      const staged = (await stagedAsk).toString().trim();
      if (staged)
        throw new AmUsageError(
          `Dirty index: cannot apply patches (dirty: ${staged.split('\n').join(' ')})`,
          1,
        );
    }
    if (mails.length === 0) throw new AmUsageError('no mail to apply', 1);
    const opts: SessionOptions = {
      keepCr: false,
      threeWay: false,
      signoff: false,
      keepSubject: false,
      keepNonPatchBrackets: false,
      scissors: false,
      messageId: false,
      ...options,
    };
    state.create(mails, head ?? '', opts);
    const origHead = head ? repo.runAsync(['update-ref', 'ORIG_HEAD', head]) : undefined;
    origHead?.catch(() => {});
    const result = await runSession(repo, state, out, head, started, true);
    await origHead;
    return result;
  });
}

function requireSession(repo: Repo): AmState {
  const state = new AmState(repo.gitDir);
  if (!state.exists()) throw new AmUsageError('no am session in progress', 2);
  return state;
}

/**
 * `--continue`: commits the index as the stopped patch (the user resolved it and ran
 * `git add`), then applies the rest. After an interrupted run (no stopped patch), resumes.
 */
export function amContinue(cwd: string, out: AmOutput = silent): Promise<AmResult> {
  return withRepo(cwd, async (repo) => {
    const state = requireSession(repo);
    if (!state.stopped) return runSession(repo, state, out);
    let treeOid: string;
    try {
      treeOid = repo.run(['write-tree']).toString().trim();
    } catch {
      throw new AmUsageError('You still have unmerged paths in your index; git add them first.', 1);
    }
    const head = repo.head();
    if (treeOid === (await repo.treeOf(head)))
      throw new AmUsageError("No changes - did you forget to use 'git add'?", 1);
    const committer = repo.run(['var', 'GIT_COMMITTER_IDENT']).toString().trim();
    const parsed = parseMail(state.mail(state.next), state.options(), committer);
    const author = formatIdent(parsed.author.name, parsed.author.email, parsed.author.date);
    const body = Buffer.concat([
      Buffer.from(
        `tree ${treeOid}\n${head ? `parent ${head}\n` : ''}author ${author}\ncommitter ${committer}\n\n`,
      ),
      parsed.message,
    ]);
    const commit = repo.store.write('commit', body);
    repo.run(['update-ref', '-m', `am: ${parsed.subject}`, 'HEAD', commit]);
    out.info(`Applying: ${parsed.subject}`);
    state.clearStop();
    state.next = state.next + 1;
    const rest = await runSession(repo, state, out);
    rest.commits.unshift({ subject: parsed.subject, commit });
    return rest;
  });
}

/** `--skip`: drops the stopped patch, resets the tree to HEAD, and applies the rest. */
export function amSkip(cwd: string, out: AmOutput = silent): Promise<AmResult> {
  return withRepo(cwd, async (repo) => {
    const state = requireSession(repo);
    repo.run(['read-tree', '--reset', '-u', 'HEAD']);
    state.clearStop();
    state.next = state.next + 1;
    return runSession(repo, state, out);
  });
}

/** `--abort`: returns HEAD, index and work tree to where the session started. */
export function amAbort(cwd: string): Promise<void> {
  return withRepo(cwd, async (repo) => {
    const state = requireSession(repo);
    const orig = state.origHead;
    if (orig) {
      repo.run(['read-tree', '--reset', '-u', orig]);
      repo.run(['update-ref', '-m', 'am --abort', 'HEAD', orig]);
    }
    state.remove();
  });
}

/** `--show-current-patch`: the raw mail the session stopped at. */
export function amCurrentPatch(cwd: string): Promise<Buffer> {
  return withRepo(cwd, async (repo) => {
    const state = requireSession(repo);
    return state.mail(state.next);
  });
}
