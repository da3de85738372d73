import { execFileSync } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { CatFile, CatFileStream, git, gitAsync } from './git.js';
import { ObjectStore } from './objects.js';
import { type ReflogStep, spreadReflog } from './reflog.js';

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
export const ZERO_OID = '0000000000000000000000000000000000000000';

/** The repository a command runs in: its directories, object store and HEAD. */
export class Repo {
  readonly store: ObjectStore;
  private readonly cat: CatFile;

  private constructor(
    readonly workTree: string,
    readonly gitDir: string,
    /** The directory shared by all work trees of the repository (refs, objects, logs). */
    readonly commonDir: string,
    openedHead: string | undefined,
  ) {
    this.openedHead = openedHead;
    this.cat = new CatFile(workTree);
    this.store = new ObjectStore(
      join(commonDir, 'objects'),
      this.cat,
      (revs) => new CatFileStream(workTree, revs),
    );
  }

  /**
   * The commit HEAD pointed to when the repository was opened (undefined on an unborn
   * branch), read by the same `git rev-parse` that finds the directories.
   */
  readonly openedHead: string | undefined;

  /** Opens the work tree containing `cwd`; throws (exit status 2) outside one. */
  static open(cwd: string): Repo {
    let out: string[];
    const args = ['rev-parse', '--show-toplevel', '--git-dir', '--git-common-dir'];
    try {
      out = execFileSync('git', [...args, '--verify', '-q', 'HEAD'], { cwd, stdio: 'pipe' })
        .toString()
        .split('\n');
    } catch (e) {
      // On an unborn branch only `--verify HEAD` fails, after the three directories.
      out = ((e as { stdout?: Buffer }).stdout ?? Buffer.alloc(0)).toString().split('\n');
      if (out.length < 4 || out[3] !== '')
        throw Object.assign(new Error('not a git work tree (run rfl-patch am inside one)'), {
          exitCode: 2,
        });
    }
    const [top, gitDir, common, head] = out as [string, string, string, string];
    const abs = (p: string): string => (isAbsolute(p) ? p : join(cwd, p));
    return new Repo(top, abs(gitDir), abs(common), head || undefined);
  }

  /** Runs git in the work tree, after making every new object visible to it. */
  run(args: string[], input?: Buffer | string): Buffer {
    this.store.flush();
    return git(args, input === undefined ? { cwd: this.workTree } : { cwd: this.workTree, input });
  }

  /** {@link run} without waiting for git to finish. */
  runAsync(args: string[]): Promise<Buffer> {
    this.store.flush();
    return gitAsync(args, { cwd: this.workTree });
  }

  /** The commit HEAD points to, or undefined on an unborn branch. */
  head(): string | undefined {
    try {
      return this.run(['rev-parse', '--verify', '-q', 'HEAD']).toString().trim() || undefined;
    } catch {
      return undefined;
    }
  }

  async treeOf(commit: string | undefined): Promise<string> {
    if (!commit) {
      this.store.write('tree', Buffer.alloc(0));
      return EMPTY_TREE;
    }
    const data = await this.store.read(commit, 'commit');
    return data.toString('latin1', 5, 45);
  }

  /**
   * Moves the index, work tree and HEAD from `from` to the last of `steps` (commits, each
   * the child of the one before). The work tree is updated first with a two-tree
   * `read-tree -m -u`, which refuses to overwrite local changes; HEAD moves last, so an
   * interruption never leaves HEAD ahead of the files. The reflogs then get one entry per
   * step, as if HEAD had moved through each commit.
   */
  async checkout(from: string | undefined, steps: readonly ReflogStep[]): Promise<void> {
    const last = steps.at(-1);
    if (last === undefined || from === last.commit) return;
    const to = last.commit;
    this.run(['read-tree', '-m', '-u', await this.treeOf(from), await this.treeOf(to)]);
    this.run(['update-ref', '-m', last.message, 'HEAD', to, from ?? ZERO_OID]);
    spreadReflog(this.gitDir, this.commonDir, from ?? ZERO_OID, steps);
  }

  close(): void {
    this.cat.close();
    this.store.close();
  }
}
