/**
 * The user-space runtime of a command: its system calls, a buffered standard output
 * (like stdio's), error messages prefixed with the program name, and the helpers every
 * command needs (read a whole descriptor, open a named file or `-`).
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { O_RDONLY, SIGPIPE, type Sys } from '../sys.js';

const EPIPE = 32;
const EINTR = 4;
const BUFSIZ = 4096;

/**
 * Thrown to end a process as a signal would: a write to a pipe nobody reads raises
 * SIGPIPE, whose default action kills the writer.
 */
export class Killed extends Error {
  readonly signal: number;
  constructor(signal: number) {
    super(`killed by signal ${signal}`);
    this.name = 'Killed';
    this.signal = signal;
  }
}

const encoder = new TextEncoder();

/** A command implementation: gets its process and `argv`, returns the exit status. */
export type Command = (proc: Proc, argv: string[]) => Promise<number>;

/** The process a command runs in (see the module comment). */
export class Proc {
  readonly sys: Sys;
  /** `argv[0]`, the prefix of error messages. */
  readonly name: string;
  /** The script line that started the command (a builtin's messages name it, as dash's do). */
  line = 1;
  #out: Uint8Array[] = [];
  #outLen = 0;

  constructor(sys: Sys, name: string) {
    this.sys = sys;
    this.name = name;
  }

  /** Writes all of `data` to `fd`; a closed pipe kills the process with SIGPIPE. */
  async writeAll(fd: number, data: Uint8Array): Promise<number> {
    let off = 0;
    while (off < data.length) {
      const n = await this.sys.write(fd, off === 0 ? data : data.subarray(off));
      if (n === -EPIPE) throw new Killed(SIGPIPE);
      if (n === -EINTR) continue;
      if (n < 0) return n;
      if (n === 0) return off;
      off += n;
    }
    return off;
  }

  /** Buffers output for fd 1, flushing every BUFSIZ bytes; returns a negative errno. */
  async out(data: string | Uint8Array): Promise<number> {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.#out.push(bytes);
    this.#outLen += bytes.length;
    return this.#outLen >= BUFSIZ ? this.flush() : 0;
  }

  /** Writes the buffered output; returns 0 or the negative errno of the failed write. */
  async flush(): Promise<number> {
    if (this.#outLen === 0) return 0;
    const all = new Uint8Array(this.#outLen);
    let at = 0;
    for (const b of this.#out) {
      all.set(b, at);
      at += b.length;
    }
    this.#out = [];
    this.#outLen = 0;
    const n = await this.writeAll(1, all);
    return Math.min(n, 0);
  }

  /** Writes to fd 2 (after flushing fd 1, so the two keep their order on a terminal). */
  async err(text: string): Promise<void> {
    await this.flush();
    await this.writeAll(2, encoder.encode(text));
  }

  /** `prog: message` on stderr. */
  async error(message: string): Promise<void> {
    await this.err(`${this.name}: ${message}\n`);
  }

  /** `prog: 'what': strerror` on stderr, the coreutils way of reporting a failed call. */
  async perror(what: string, errno: number): Promise<void> {
    await this.error(`${what}: ${strerror(errno)}`);
  }

  /** Opens `path` for reading, `-` being standard input (not to be closed). */
  async openInput(path: string): Promise<number> {
    if (path === '-') return 0;
    return this.sys.open(path, O_RDONLY);
  }

  /** Closes a descriptor from {@link openInput}. */
  async closeInput(fd: number): Promise<void> {
    if (fd > 2) await this.sys.close(fd);
  }

  /**
   * Reads `fd` to its end (or `limit` bytes) in `chunk`-sized reads; a negative errno
   * if a read failed.
   */
  async readAll(
    fd: number,
    limit = Number.POSITIVE_INFINITY,
    chunk = 65536,
  ): Promise<Uint8Array | number> {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < limit) {
      const buf = new Uint8Array(Math.min(chunk, limit - total));
      const n = await this.sys.read(fd, buf);
      if (n === -EINTR) continue;
      if (n < 0) return n;
      if (n === 0) break;
      parts.push(buf.subarray(0, n));
      total += n;
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  }
}
