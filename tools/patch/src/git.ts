import {
  type ChildProcessWithoutNullStreams,
  execFile,
  execFileSync,
  spawn,
} from 'node:child_process';

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
  type: string;
  data: Buffer;
}

/**
 * Reads objects (loose or packed, by full or abbreviated id) through a single
 * `git cat-file --batch` process, so a 400-patch run pays for one process, not 400.
 */
export class CatFile {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: {
    resolve: (o: RawObject | undefined) => void;
    reject: (e: Error) => void;
  }[] = [];

  constructor(cwd: string) {
    this.proc = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.drain();
    });
    this.proc.on('error', (e) => {
      for (const w of this.waiting.splice(0)) w.reject(e);
    });
  }

  private drain(): void {
    for (;;) {
      const w = this.waiting[0];
      if (!w) return;
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const head = this.buf.toString('latin1', 0, nl).split(' ');
      if (head.length !== 3) {
        this.buf = this.buf.subarray(nl + 1);
        this.waiting.shift();
        w.resolve(undefined);
        continue;
      }
      const size = Number(head[2]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.waiting.shift();
      w.resolve({ type: head[1]!, data });
    }
  }

  /** The object named `rev`, or undefined when it is missing or ambiguous. */
  read(rev: string): Promise<RawObject | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(`${rev}\n`);
    });
  }

  /** {@link read} for several objects, asked for in one write: git answers them in a stream. */
  readMany(revs: string[]): Promise<RawObject | undefined>[] {
    const out = revs.map(
      (_rev) =>
        new Promise<RawObject | undefined>((resolve, reject) => {
          this.waiting.push({ resolve, reject });
        }),
    );
    if (revs.length) this.proc.stdin.write(`${revs.join('\n')}\n`);
    return out;
  }

  close(): void {
    this.proc.stdin.end();
  }
}
