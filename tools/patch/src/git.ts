import {
  type ChildProcess,
  type ChildProcessWithoutNullStreams,
  execFile,
  execFileSync,
  spawn,
} from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a git command to completion and returns its stdout; throws with git's stderr. */
export function git(
  args: string[],
  opts: { cwd: string; input?: Buffer | string; env?: NodeJS.ProcessEnv },
): Buffer {
  try {
    return execFileSync('git', args, {
      cwd: opts.cwd,
      input: opts.input,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
    });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    const detail = err.stderr?.toString().trim() || err.message;
    throw new Error(`git ${args[0]}: ${detail}`);
  }
}

/**
 * {@link git} without waiting: the command runs while the caller goes on, and the promise
 * settles with its stdout, or rejects with the same message {@link git} would throw.
 */
export function gitAsync(args: string[], opts: { cwd: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: opts.cwd, encoding: 'buffer', maxBuffer: 1 << 30 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const detail = stderr.toString().trim() || err.message;
        reject(new Error(`git ${args[0]}: ${detail}`));
      },
    );
  });
}

/** A raw object read through one long-running `git cat-file --batch`. */
export interface RawObject {
  /** Its full id, as git printed it (the request may have been abbreviated). */
  oid: string;
  type: string;
  data: Buffer;
}

/** Parses `git cat-file --batch` output as it arrives, one answer at a time. */
class BatchReader {
  /** Output not yet parsed: `buf`, then the chunks in `more` (`moreLength` bytes). */
  private buf: Buffer = Buffer.alloc(0);
  private more: Buffer[] = [];
  private moreLength = 0;

  push(chunk: Buffer): void {
    if (this.buf.length === 0) this.buf = chunk;
    else {
      this.more.push(chunk);
      this.moreLength += chunk.length;
    }
  }

  /** Joins the queued chunks to `buf`: once per object that spans chunks, not per chunk. */
  private join(): void {
    this.buf = Buffer.concat([this.buf, ...this.more]);
    this.more = [];
    this.moreLength = 0;
  }

  /**
   * The next answer: the object, undefined for a missing or ambiguous one, or `false`
   * while the answer has not arrived in full.
   */
  next(): RawObject | undefined | false {
    let nl = this.buf.indexOf(0x0a);
    if (nl < 0 && this.moreLength > 0) {
      this.join();
      nl = this.buf.indexOf(0x0a);
    }
    if (nl < 0) return false;
    const head = this.buf.toString('latin1', 0, nl).split(' ');
    if (head.length !== 3) {
      this.buf = this.buf.subarray(nl + 1);
      return undefined;
    }
    const end = nl + 1 + Number(head[2]);
    // The object and the newline after it.
    if (this.buf.length + this.moreLength < end + 1) return false;
    if (this.buf.length < end + 1) this.join();
    // A view, not a copy: the objects are read-only, and the chunk they share stays
    // alive only as long as one of them does.
    const data = this.buf.subarray(nl + 1, end);
    this.buf = this.buf.subarray(end + 1);
    return { oid: head[0]!, type: head[1]!, data };
  }
}

/**
 * Reads objects (loose or packed, by full or abbreviated id) through a single
 * `git cat-file --batch` process, so a 400-patch run pays for one process, not 400.
 */
export class CatFile {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly reader = new BatchReader();
  private readonly waiting: {
    resolve: (o: RawObject | undefined) => void;
    reject: (e: Error) => void;
  }[] = [];

  constructor(cwd: string) {
    this.proc = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (let w = this.waiting[0]; w; w = this.waiting[0]) {
        const answer = this.reader.next();
        if (answer === false) return;
        this.waiting.shift();
        w.resolve(answer);
      }
    });
    this.proc.on('error', (e) => {
      for (const w of this.waiting.splice(0)) w.reject(e);
    });
  }

  /** The object named `rev`, or undefined when it is missing or ambiguous. */
  read(rev: string): Promise<RawObject | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(`${rev}\n`);
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/**
 * The answers to a list of objects asked for in one go, from a `git cat-file --batch`
 * that writes them into a temporary file rather than a pipe. Through a pipe, git stops
 * each time the pipe's 64 KiB are full until the reader takes them, and a reader busy
 * applying patches takes them late; into a file, git goes on at its own speed on another
 * core, and the answers are read from the file when the reader next waits. The file is
 * unlinked as soon as it is open, so nothing is left behind however the process ends.
 */
export class CatFileStream {
  /** One promise per object asked for, in order; undefined when missing or ambiguous. */
  readonly answers: Promise<RawObject | undefined>[];
  private readonly settle: ((o: RawObject | undefined) => void)[] = [];
  private readonly reader = new BatchReader();
  private readonly proc: ChildProcess;
  private fd: number | undefined;
  private readAt = 0;
  private nextAnswer = 0;
  private exited = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(cwd: string, revs: string[]) {
    this.answers = revs.map((_rev) => new Promise((resolve) => this.settle.push(resolve)));
    const dir = mkdtempSync(join(tmpdir(), 'rfl-cat-file-'));
    try {
      this.fd = openSync(join(dir, 'answers'), 'w+', 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    this.proc = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', this.fd, 'ignore'] });
    // A git that cannot start answers nothing: every object counts as missing, and the
    // reads that need one ask for it again (and report what went wrong).
    this.proc.on('error', () => this.finish());
    this.proc.on('exit', () => {
      this.exited = true;
      this.poll();
    });
    this.proc.stdin!.on('error', () => {});
    this.proc.stdin!.end(revs.length ? `${revs.join('\n')}\n` : '');
    this.poll();
  }

  /** Takes what git has written since the last look, and looks again soon if it is not done. */
  private poll(): void {
    this.timer = undefined;
    if (this.fd === undefined) return;
    const size = fstatSync(this.fd).size;
    if (size > this.readAt) {
      const chunk = Buffer.allocUnsafe(size - this.readAt);
      const n = readSync(this.fd, chunk, 0, chunk.length, this.readAt);
      this.readAt += n;
      this.reader.push(chunk.subarray(0, n));
      while (this.nextAnswer < this.settle.length) {
        const answer = this.reader.next();
        if (answer === false) break;
        this.settle[this.nextAnswer++]!(answer);
      }
    }
    if (this.nextAnswer === this.settle.length || this.exited) this.finish();
    // Timers run only while the reader waits for something: one look per millisecond then.
    else this.timer ??= setTimeout(() => this.poll(), 1);
  }

  /** Stops reading: answers not arrived by now count as missing. */
  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    while (this.nextAnswer < this.settle.length) this.settle[this.nextAnswer++]!(undefined);
  }

  /** Stops early: git is stopped and every answer not read yet counts as missing. */
  close(): void {
    if (!this.exited) this.proc.kill();
    this.finish();
  }
}
