import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The options an `am` session was started with; stored so `--continue` keeps them. */
export interface SessionOptions {
  keepCr: boolean;
  threeWay: boolean;
  signoff: boolean;
  keepSubject: boolean;
  keepNonPatchBrackets: boolean;
  scissors: boolean;
  messageId: boolean;
}

/**
 * An `am` session on disk in `.git/rebase-apply`, laid out like git's (`next`, `last`,
 * `orig-head`, `keepcr`, `threeway`, `sign`, ..., and `patch`, `msg`, `author-script`
 * for a stopped patch) except that the mails are one `mails` file with an offsets file,
 * not one file each: 2 writes instead of 400 for a long series. Files that change during
 * a session are written through a rename, so a killed process leaves the old or the new
 * value, never a torn one.
 */
export class AmState {
  readonly dir: string;
  private mails: Buffer[] | undefined;
  private opts: SessionOptions | undefined;

  constructor(gitDir: string) {
    this.dir = join(gitDir, 'rebase-apply');
  }

  exists(): boolean {
    return existsSync(join(this.dir, 'last'));
  }

  private put(name: string, data: string | Buffer): void {
    const tmp = join(this.dir, `.${name}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(this.dir, name));
  }

  private get(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8').trim();
  }

  create(mails: Buffer[], origHead: string, opts: SessionOptions): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    let at = 0;
    const offsets = mails.map((m) => {
      at += m.length;
      return at;
    });
    // A new directory: its files are written in place, and `last`, which makes the
    // session exist, goes in last through a rename, so a session that exists is whole.
    const write = (name: string, data: string | Buffer): void =>
      writeFileSync(join(this.dir, name), data);
    write('mails', Buffer.concat(mails));
    write('mails.offsets', `${offsets.join('\n')}\n`);
    write('orig-head', `${origHead}\n`);
    write('keepcr', opts.keepCr ? 't\n' : 'f\n');
    write('threeway', opts.threeWay ? 't\n' : 'f\n');
    write('sign', opts.signoff ? 't\n' : 'f\n');
    write('keep', opts.keepSubject ? 't\n' : opts.keepNonPatchBrackets ? 'b\n' : 'f\n');
    write('scissors', opts.scissors ? 't\n' : 'f\n');
    write('messageid', opts.messageId ? 't\n' : 'f\n');
    write('utf8', 't\n');
    write('applying', '');
    write('next', '1\n');
    this.put('last', `${mails.length}\n`);
    // What was just written need not be read back.
    this.mails = mails;
    this.opts = { ...opts };
  }

  options(): SessionOptions {
    if (this.opts) return { ...this.opts };
    const keep = this.get('keep');
    return {
      keepCr: this.get('keepcr') === 't',
      threeWay: this.get('threeway') === 't',
      signoff: this.get('sign') === 't',
      keepSubject: keep === 't',
      keepNonPatchBrackets: keep === 'b',
      scissors: this.get('scissors') === 't',
      messageId: this.get('messageid') === 't',
    };
  }

  get next(): number {
    return Number(this.get('next'));
  }

  set next(n: number) {
    this.put('next', `${n}\n`);
  }

  get last(): number {
    return Number(this.get('last'));
  }

  get origHead(): string {
    return this.get('orig-head');
  }

  /** Mail `n` (1-based) of the session. */
  mail(n: number): Buffer {
    if (!this.mails) {
      const all = readFileSync(join(this.dir, 'mails'));
      const ends = readFileSync(join(this.dir, 'mails.offsets'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
      this.mails = ends.map((end, i) => all.subarray(i === 0 ? 0 : ends[i - 1], end));
    }
    const m = this.mails[n - 1];
    if (!m) throw new Error(`no mail ${n} in ${this.dir}`);
    return m;
  }

  /** Records that the session stopped at `next` on a failure the user must resolve. */
  stop(patch: Buffer, msg: Buffer, author: { name: string; email: string; date: string }): void {
    this.put('patch', patch);
    this.put('final-commit', msg);
    this.put('msg', msg);
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    this.put(
      'author-script',
      `GIT_AUTHOR_NAME=${q(author.name)}\nGIT_AUTHOR_EMAIL=${q(author.email)}\nGIT_AUTHOR_DATE=${q(`@${author.date}`)}\n`,
    );
    this.put('stopped', '');
  }

  get stopped(): boolean {
    return existsSync(join(this.dir, 'stopped'));
  }

  clearStop(): void {
    rmSync(join(this.dir, 'stopped'), { force: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
