/**
 * The shell's executor. Like dash: a command that is not a builtin runs in a child process
 * (its own task, with a copy of the shell's descriptors) that applies the redirections and
 * then runs the program; a pipeline starts one child per command joined by pipes; a
 * builtin runs in the shell's own task with its redirections applied and undone around it.
 *
 * A list ended by `&` is a background job (`jobs.ts`): `$!`, `wait`, `jobs` and `kill`
 * are builtins of the shell, as in dash.
 *
 * Messages and statuses follow dash: `sh: 1: foo: not found` (127), `sh: 1: cannot open
 * /nope: No such file` (2), and a child killed by a signal reports the signal
 * (`Segmentation fault`, status 128 + 11 = 139), which is how a command whose system call
 * hit a kernel Oops ends: the kernel kills the task, the shell goes on.
 *
 * @module
 */

import type { Command } from '../commands/proc.js';
import { Killed, Proc } from '../commands/proc.js';
import { strerror } from '../strerror.js';
import {
  O_APPEND,
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SIGINT,
  SIGKILL,
  SIGPIPE,
  SIGSEGV,
  type Sys,
  type WaitStatus,
} from '../sys.js';
import type { AndOr, List, Pipeline, Redirect, SimpleCommand } from './ast.js';
import { type ExpandContext, expandRedirTarget, expandWord } from './expand.js';
import { andOrText, JobTable, killError, parseKill } from './jobs.js';
import { ShellSyntaxError } from './lexer.js';
import { Parser } from './parser.js';

const ENOENT = 2;
const ENOTDIR = 20;
const EBADF = 9;

/** What `strsignal()` says about the signals a shell reports (SIGPIPE goes unreported). */
const SIGNAL_NAMES = new Map([
  [SIGKILL, 'Killed'],
  [SIGSEGV, 'Segmentation fault'],
]);

/** Builtins that work on the shell's own state, so they always run in its task. */
const SPECIAL_BUILTINS = new Set(['exit', 'wait', 'jobs', 'kill']);

/** Raised by the `exit` builtin; unwinds to the top of the script. */
class ShellExit {
  readonly status: number;
  constructor(status: number) {
    this.status = status;
  }
}

/** dash's `errmsg()`: the ENOENT/ENOTDIR wording depends on what was attempted. */
function errmsg(errno: number, action: 'open' | 'create'): string {
  if (errno !== -ENOENT && errno !== -ENOTDIR) return strerror(errno);
  return action === 'open' ? 'No such file' : 'Directory nonexistent';
}

export interface ShellOptions {
  sys: Sys;
  /** The programs a child can run, by name. */
  commands: ReadonlyMap<string, Command>;
  /** The builtins that run in the shell's own task. */
  builtins: ReadonlyMap<string, Command>;
  /** Whether a syntax error ends the script (false) or only the line (true). */
  interactive?: boolean;
}

/** The outcome of running source text. */
export interface RunResult {
  /** `$?` after the last command. */
  status: number;
  /** Whether the shell should exit (`exit`, or a syntax error of a script). */
  exit: boolean;
}

/** A shell session: its `$?` and the line count of what it has read so far. */
export class Shell {
  readonly #sys: Sys;
  readonly #commands: ReadonlyMap<string, Command>;
  readonly #builtins: ReadonlyMap<string, Command>;
  readonly #interactive: boolean;
  readonly #proc: Proc;
  readonly #jobs = new JobTable();
  /** `$!`: the pid of the last background command. */
  #lastBackground: number | undefined;
  #status = 0;
  #line = 1;

  constructor(options: ShellOptions) {
    this.#sys = options.sys;
    this.#commands = options.commands;
    this.#builtins = options.builtins;
    this.#interactive = options.interactive ?? false;
    this.#proc = new Proc(options.sys, 'sh');
  }

  /** `$?`. */
  get status(): number {
    return this.#status;
  }

  /** Runs `source` (one or more lines) in the calling task, which must be the shell's. */
  async run(source: string): Promise<RunResult> {
    if (this.#interactive) {
      const ended = this.#jobs.reportDone();
      if (ended) await this.#proc.err(ended);
    }
    const parser = new Parser(source, this.#line);
    this.#line += source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
    try {
      for (;;) {
        const list = parser.next();
        if (list === undefined) break;
        await this.#list(list);
      }
    } catch (err) {
      if (err instanceof ShellExit) {
        this.#status = err.status;
        return { status: err.status, exit: true };
      }
      if (!(err instanceof ShellSyntaxError)) throw err;
      await this.#proc.err(`sh: ${err.line}: ${err.message}\n`);
      this.#status = 2;
      return { status: 2, exit: !this.#interactive };
    }
    return { status: this.#status, exit: false };
  }

  async #list(list: List): Promise<void> {
    for (const andOr of list) {
      if (andOr.background) await this.#background(andOr);
      else await this.#andOr(andOr);
    }
  }

  /**
   * Starts `andOr` as a background job and goes on (`$?` is 0). A pipeline of programs
   * runs as its own processes, so `$!` is the last command's pid (what `kill` wants);
   * anything else (an and-or list, a builtin) runs in a subshell. Without job control a
   * background job reads /dev/null, not the terminal. An interactive shell prints
   * `[N] pid`.
   */
  async #background(andOr: AndOr): Promise<void> {
    const direct =
      andOr.rest.length === 0 &&
      !andOr.first.bang &&
      andOr.first.commands.every((c) => {
        const w = c.words[0];
        const name = w?.length === 1 && w[0]!.kind === 'lit' ? w[0]!.text : undefined;
        return name !== undefined && !this.#builtins.has(name) && !SPECIAL_BUILTINS.has(name);
      });
    let pids: number[];
    let done: Promise<WaitStatus>;
    if (direct) {
      const started = await this.#start(andOr.first.commands, true);
      if (typeof started === 'number') {
        this.#status = started;
        return;
      }
      pids = started.pids;
      done = Promise.all(started.waits).then((r) => r[r.length - 1]!);
    } else {
      const child = this.#sys.spawn('sh', async () => {
        await this.#stdinFromNull();
        const sub = new Shell({
          sys: this.#sys,
          commands: this.#commands,
          builtins: this.#builtins,
        });
        sub.#status = this.#status;
        sub.#lastBackground = this.#lastBackground;
        await sub.#andOr({ ...andOr, background: false });
        return sub.#status;
      });
      pids = [child.pid];
      done = child.wait();
    }
    const job = this.#jobs.add(pids, andOrText(andOr), done);
    this.#lastBackground = pids[pids.length - 1];
    if (this.#interactive) await this.#proc.err(`[${job.number}] ${this.#lastBackground}\n`);
    this.#status = 0;
  }

  /** A background job reads /dev/null (POSIX, without job control). */
  async #stdinFromNull(): Promise<void> {
    const fd = await this.#sys.open('/dev/null', O_RDONLY);
    if (fd < 0) return;
    if (fd !== 0) {
      await this.#sys.dup2(fd, 0);
      await this.#sys.close(fd);
    }
  }

  async #andOr(andOr: AndOr): Promise<void> {
    this.#status = await this.#pipeline(andOr.first);
    for (const { op, pipeline } of andOr.rest) {
      if ((op === '&&') === (this.#status === 0)) this.#status = await this.#pipeline(pipeline);
    }
  }

  #expandContext(): ExpandContext {
    return {
      param: (name) => {
        if (name === '?') return String(this.#status);
        if (name === '$') return String(this.#sys.getpid());
        if (name === '0') return 'sh';
        if (name === '#') return '0';
        if (name === '!')
          return this.#lastBackground === undefined ? undefined : String(this.#lastBackground);
        return undefined;
      },
      readdir: (dir) => this.#readdir(dir),
      exists: async (path) => typeof (await this.#sys.lstat(path)) !== 'number',
    };
  }

  async #readdir(dir: string): Promise<string[] | undefined> {
    const entries = await this.#sys.readdir(dir);
    return typeof entries === 'number' ? undefined : entries.map((e) => e.d_name);
  }

  async #argv(cmd: SimpleCommand): Promise<string[]> {
    const ctx = this.#expandContext();
    const argv: string[] = [];
    for (const word of cmd.words) argv.push(...(await expandWord(word, ctx)));
    return argv;
  }

  async #pipeline(pipeline: Pipeline): Promise<number> {
    let status: number;
    const [only] = pipeline.commands;
    if (pipeline.commands.length === 1 && only !== undefined) {
      status = await this.#simple(only);
    } else {
      status = await this.#pipe(pipeline.commands);
    }
    return pipeline.bang ? Number(status === 0) : status;
  }

  /** A command on its own: a builtin in this task, anything else in a child. */
  async #simple(cmd: SimpleCommand): Promise<number> {
    const argv = await this.#argv(cmd);
    const name = argv[0];
    if (name === undefined || this.#builtins.has(name) || SPECIAL_BUILTINS.has(name)) {
      return this.#builtin(cmd, argv);
    }
    const child = this.#sys.spawn(name, () => this.#child(cmd, argv, () => Promise.resolve()));
    return this.#wait([child.wait()]);
  }

  /** Runs a builtin (or only redirections) here, restoring the descriptors afterwards. */
  async #builtin(cmd: SimpleCommand, argv: string[]): Promise<number> {
    const saved: { fd: number; copy: number }[] = [];
    const sys = this.#sys;
    try {
      const ok = await this.#redirect(cmd, async (fd) => {
        if (saved.some((s) => s.fd === fd)) return;
        saved.push({ fd, copy: await sys.dup(fd) });
      });
      if (!ok) return 2;
      const [name, ...args] = argv;
      if (name === undefined) return 0;
      if (name === 'exit') {
        const code = args[0] === undefined ? this.#status : Number.parseInt(args[0], 10);
        throw new ShellExit(Number.isNaN(code) ? 2 : code & 0xff);
      }
      const proc = new Proc(sys, name);
      proc.line = cmd.line;
      if (name === 'wait') return await this.#waitBuiltin(args);
      if (name === 'jobs') {
        await proc.out(this.#jobs.list());
        await proc.flush();
        return 0;
      }
      if (name === 'kill') return await this.#killBuiltin(cmd.line, args);
      const status = await this.#builtins.get(name)!(proc, args);
      await proc.flush();
      return status;
    } finally {
      for (const { fd, copy } of saved.reverse()) {
        if (copy >= 0) {
          await sys.dup2(copy, fd);
          await sys.close(copy);
        } else {
          await sys.close(fd);
        }
      }
    }
  }

  /**
   * The body of a child: set up its descriptors (`plumb`), apply the redirections, then
   * run the builtin or program. Runs in the child's task.
   */
  async #child(cmd: SimpleCommand, argv: string[], plumb: () => Promise<void>): Promise<number> {
    const [name, ...args] = argv;
    const proc = new Proc(this.#sys, name ?? 'sh');
    proc.line = cmd.line;
    try {
      await plumb();
      if (!(await this.#redirect(cmd, async () => {}))) return 2;
      if (name === undefined) return 0;
      if (name === 'exit') return args[0] === undefined ? this.#status : Number(args[0]) & 0xff;
      const program = this.#builtins.get(name) ?? this.#commands.get(name);
      if (program === undefined) {
        await proc.err(`sh: ${cmd.line}: ${name}: not found\n`);
        return 127;
      }
      const status = await program(proc, args);
      await proc.flush();
      return status;
    } catch (err) {
      if (err instanceof Killed) return 128 + err.signal;
      throw err;
    }
  }

  /**
   * `wait [pid|%job ...]`: without operands waits for every job and returns 0; else the
   * status of the last one named, 127 for one that is no job of this shell.
   */
  async #waitBuiltin(args: string[]): Promise<number> {
    if (args.length === 0) {
      for (const job of [...this.#jobs.all()]) {
        await job.done;
        this.#jobs.remove(job);
      }
      return 0;
    }
    let status = 0;
    for (const spec of args) {
      const job = this.#jobs.find(spec);
      if (job === undefined) {
        status = 127;
        continue;
      }
      status = (await job.done).status;
      this.#jobs.remove(job);
    }
    return status;
  }

  /** `kill [-s sig | -sig] pid|%job ...` (dash's builtin): SIGTERM by default. */
  async #killBuiltin(line: number, args: string[]): Promise<number> {
    const parsed = parseKill(args);
    if (typeof parsed === 'string') {
      await this.#proc.err(`sh: ${line}: ${parsed}\n`);
      return 2;
    }
    let status = 0;
    for (const operand of parsed.operands) {
      const pids = operand.startsWith('%')
        ? this.#jobs.find(operand)?.pids
        : /^-?\d+$/.test(operand)
          ? [Number(operand)]
          : undefined;
      if (pids === undefined) {
        await this.#proc.err(`sh: ${line}: kill: ${operand}: no such job\n`);
        status = 1;
        continue;
      }
      for (const pid of pids) {
        const ret = this.#sys.kill(pid, parsed.sig);
        if (ret < 0) {
          await this.#proc.err(`sh: ${line}: ${killError(ret)}\n`);
          status = 1;
        }
      }
    }
    return status;
  }

  /** Starts one child per command, each reading the previous one's output. */
  async #pipe(commands: SimpleCommand[]): Promise<number> {
    const started = await this.#start(commands, false);
    if (typeof started === 'number') return started;
    return this.#wait(started.waits);
  }

  /**
   * Starts the children of a pipeline without waiting for them: their pids and exits, or
   * the status of a failure to create the pipes. A background pipeline's first command
   * reads /dev/null unless redirected.
   */
  async #start(
    commands: SimpleCommand[],
    background: boolean,
  ): Promise<{ pids: number[]; waits: Promise<WaitStatus>[] } | number> {
    const sys = this.#sys;
    const pipes: [number, number][] = [];
    for (let i = 0; i < commands.length - 1; i++) {
      const p = await sys.pipe2(0);
      if (typeof p === 'number') {
        await this.#proc.err(`sh: ${commands[0]!.line}: Cannot create pipe: ${strerror(p)}\n`);
        for (const [r, w] of pipes) {
          await sys.close(r);
          await sys.close(w);
        }
        return 2;
      }
      pipes.push(p);
    }
    const waits: Promise<WaitStatus>[] = [];
    const pids: number[] = [];
    for (const [i, cmd] of commands.entries()) {
      const argv = await this.#argv(cmd);
      const plumb = async () => {
        const input = pipes[i - 1];
        const output = pipes[i];
        if (input === undefined && background) await this.#stdinFromNull();
        if (input !== undefined) await sys.dup2(input[0], 0);
        if (output !== undefined) await sys.dup2(output[1], 1);
        for (const [r, w] of pipes) {
          await sys.close(r);
          await sys.close(w);
        }
      };
      const child = sys.spawn(argv[0] ?? 'sh', () => this.#child(cmd, argv, plumb));
      pids.push(child.pid);
      waits.push(child.wait());
    }
    for (const [r, w] of pipes) {
      await sys.close(r);
      await sys.close(w);
    }
    return { pids, waits };
  }

  /** Waits for every child; reports a signal that killed the last one; its status. */
  async #wait(waits: Promise<WaitStatus>[]): Promise<number> {
    const results = await Promise.all(waits);
    const last = results[results.length - 1]!;
    if (last.signal !== undefined && last.signal !== SIGPIPE && last.signal !== SIGINT) {
      await this.#proc.err(`${SIGNAL_NAMES.get(last.signal) ?? `Signal ${last.signal}`}\n`);
    }
    return last.status;
  }

  /**
   * Applies a command's redirections in the calling task; `save` is told of each
   * descriptor before it changes. Reports a failure as dash does and returns false.
   */
  async #redirect(cmd: SimpleCommand, save: (fd: number) => Promise<void>): Promise<boolean> {
    const sys = this.#sys;
    const ctx = this.#expandContext();
    for (const r of cmd.redirects) {
      const target = expandRedirTarget(r.target, ctx);
      await save(r.fd);
      if (r.op === '>&' || r.op === '<&') {
        if (target === '-') {
          await sys.close(r.fd);
          continue;
        }
        if (!/^\d+$/.test(target)) {
          await this.#proc.err(`sh: ${cmd.line}: Syntax error: Bad fd number\n`);
          return false;
        }
        if (Number(target) !== r.fd && (await sys.dup2(Number(target), r.fd)) < 0) {
          await this.#proc.err(`sh: ${cmd.line}: ${target}: ${strerror(EBADF)}\n`);
          return false;
        }
        continue;
      }
      const fd = await sys.open(target, openFlags(r), 0o666);
      if (fd < 0) {
        const action = r.op === '<' ? 'open' : 'create';
        await this.#proc.err(
          `sh: ${cmd.line}: cannot ${action} ${target}: ${errmsg(fd, action)}\n`,
        );
        return false;
      }
      if (fd !== r.fd) {
        await sys.dup2(fd, r.fd);
        await sys.close(fd);
      }
    }
    return true;
  }
}

function openFlags(r: Redirect): number {
  switch (r.op) {
    case '<':
      return O_RDONLY;
    case '<>':
      return O_RDWR | O_CREAT;
    case '>>':
      return O_WRONLY | O_CREAT | O_APPEND;
    default:
      return O_WRONLY | O_CREAT | O_TRUNC;
  }
}
