/**
 * The shell's executor. Like dash: a command that is not a builtin runs in a child process
 * (its own task, with a copy of the shell's descriptors) that applies the redirections and
 * then runs the program; a pipeline starts one child per command joined by pipes; a
 * builtin runs in the shell's own task with its redirections applied and undone around it.
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
    for (const andOr of list) await this.#andOr(andOr);
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
    if (name === undefined || this.#builtins.has(name) || name === 'exit') {
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

  /** Starts one child per command, each reading the previous one's output. */
  async #pipe(commands: SimpleCommand[]): Promise<number> {
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
    for (const [i, cmd] of commands.entries()) {
      const argv = await this.#argv(cmd);
      const plumb = async () => {
        const input = pipes[i - 1];
        const output = pipes[i];
        if (input !== undefined) await sys.dup2(input[0], 0);
        if (output !== undefined) await sys.dup2(output[1], 1);
        for (const [r, w] of pipes) {
          await sys.close(r);
          await sys.close(w);
        }
      };
      const child = sys.spawn(argv[0] ?? 'sh', () => this.#child(cmd, argv, plumb));
      waits.push(child.wait());
    }
    for (const [r, w] of pipes) {
      await sys.close(r);
      await sys.close(w);
    }
    return this.#wait(waits);
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
