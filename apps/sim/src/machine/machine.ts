/**
 * A booted machine and the shells a user runs on it. The shell is a task like any other:
 * the host hands it a script (`rfl-sim run`) or one line at a time (`rfl-sim shell`) and
 * runs the machine's idle loop until it has finished.
 *
 * @module
 */

import { BUILTINS, COMMANDS } from '../commands/index.js';
import { type RunResult, Shell } from '../shell/exec.js';
import type { Sys, WaitStatus } from '../sys.js';
import { runUntil } from './idle.js';

/** What a machine is made of: its system calls and its terminal. */
export interface Platform {
  readonly sys: Sys;
  /**
   * Opens descriptors 0, 1 and 2 of the calling task (the shell) on the terminal; standard
   * input reads nothing unless `interactive`.
   */
  attachTerminal(interactive: boolean): Promise<void>;
}

/** An interactive shell: one task reading the lines the host gives it. */
export class ShellSession {
  readonly #lines: { text: string; done: (r: RunResult) => void }[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  readonly #exited: Promise<WaitStatus>;
  readonly #platform: Platform;
  readonly #pid: number;

  constructor(platform: Platform) {
    this.#platform = platform;
    const child = platform.sys.spawn('sh', async () => {
      await platform.attachTerminal(true);
      const shell = new Shell({
        sys: platform.sys,
        commands: COMMANDS,
        builtins: BUILTINS,
        interactive: true,
      });
      for (;;) {
        while (this.#lines.length === 0 && !this.#closed) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
        }
        const next = this.#lines.shift();
        if (next === undefined) return shell.status;
        const result = await shell.run(next.text);
        next.done(result);
        if (result.exit) return result.status;
      }
    });
    this.#exited = child.wait();
    this.#pid = child.pid;
  }

  /**
   * Ctrl-C: sends SIGINT to the commands the shell is running (every user task but the
   * shell and init), which die of it at their next system call.
   */
  interrupt(): void {
    this.#platform.sys.kill_foreground(this.#pid);
  }

  /**
   * Runs one line in the shell; resolves when it has finished. `signal` is set when the
   * shell itself was killed (an Oops in a builtin's system call kills the shell's task).
   */
  async line(text: string): Promise<RunResult & { signal?: number }> {
    const result = new Promise<RunResult>((resolve) => {
      this.#lines.push({ text, done: resolve });
    });
    this.#wake?.();
    const died = this.#exited.then((w): RunResult & { signal?: number } => ({
      status: w.status,
      exit: true,
      signal: w.signal,
    }));
    return runUntil(Promise.race<RunResult & { signal?: number }>([result, died]));
  }

  /** Ends the session (end of input); resolves to the shell's last status. */
  async close(): Promise<number> {
    this.#closed = true;
    this.#wake?.();
    return (await runUntil(this.#exited)).status;
  }
}

/** Runs `script` in a new shell on the machine; resolves to its exit status. */
export async function runScript(platform: Platform, script: string): Promise<number> {
  const child = platform.sys.spawn('sh', async () => {
    await platform.attachTerminal(false);
    const shell = new Shell({ sys: platform.sys, commands: COMMANDS, builtins: BUILTINS });
    return (await shell.run(script)).status;
  });
  return (await runUntil(child.wait())).status;
}

/** What {@link simRun} returns: the status and everything the terminal printed. */
export interface SimRunResult {
  status: number;
  stdout: string;
  stderr: string;
}
