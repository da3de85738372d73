import { UserSlice, type UserSliceReader, type UserSliceWriter } from '@rfl/io-buffer';
import {
  _IOC_DIR,
  _IOC_NONE,
  _IOC_NR,
  _IOC_READ,
  _IOC_SIZE,
  _IOC_TYPE,
  _IOC_WRITE,
  EINVAL,
  ENOTTY,
} from '@rfl/kernel';
import { KernelError } from '@rfl/types';
import type { File } from './file.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * The handlers of a driver's ioctls, one per `_IOC` direction (`IoctlHandler`). Each gets
 * the command number so it can tell its commands apart; the command's user argument comes
 * as a slice of exactly `_IOC_SIZE(cmd)` bytes, already turned the right way round:
 *
 * | direction | macro | handler | gets |
 * |---|---|---|---|
 * | none | `_IO` | `pure` | the raw `arg` |
 * | user writes, kernel reads | `_IOW` | `write` | a {@link UserSliceReader} |
 * | kernel writes, user reads | `_IOR` | `read` | a {@link UserSliceWriter} |
 * | both | `_IOWR` | `readWrite` | the {@link UserSlice} |
 *
 * A missing handler, or a handler that does not know the command, means `ENOTTY`: the
 * errno the kernel returns for "inappropriate ioctl for device". (The old RFL tree's
 * defaults returned `EINVAL`; `ENOTTY` is what `ioctl(2)` documents and what C drivers
 * return.)
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * import { i32 } from '@rfl/io-buffer';
 * import { _IOR } from '@rfl/kernel';
 * const GET = _IOR('|', 0x81, 4);
 * const handler: file.IoctlHandler<{ value: number }> = {
 *   read(state, _file, cmd, writer) {
 *     if (cmd !== GET) return file.ioctlUnknown(cmd);
 *     writer.write(i32, state.value);
 *     return 0;
 *   },
 * };
 * typeof handler.read // => 'function'
 * ```
 */
export interface IoctlHandler<T> {
  /** `_IO` commands: no user buffer. */
  pure?(target: T, file: File, cmd: number, arg: number): MaybePromise<number>;
  /** `_IOR` commands: the driver writes the answer. */
  read?(target: T, file: File, cmd: number, writer: UserSliceWriter): MaybePromise<number>;
  /** `_IOW` commands: the driver reads the argument. */
  write?(target: T, file: File, cmd: number, reader: UserSliceReader): MaybePromise<number>;
  /** `_IOWR` commands: both, over the same bytes. */
  readWrite?(target: T, file: File, cmd: number, slice: UserSlice): MaybePromise<number>;
}

/**
 * The error for a command a handler does not know: `ENOTTY`, thrown.
 *
 * @example
 * ```ts should_throw=ENOTTY
 * import { file } from '@rfl/miscdev';
 * file.ioctlUnknown(0x1234);
 * ```
 */
export function ioctlUnknown(cmd: number): never {
  throw new KernelError(ENOTTY, `unknown ioctl 0x${cmd.toString(16)}`);
}

/**
 * An `ioctl(2)` command and its argument, decoded the way `<uapi/asm-generic/ioctl.h>`
 * encodes them (`IoctlCommand`): 2 bits of direction, 14 of argument size, 8 of type (the
 * driver's letter) and 8 of number.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * import { _IOR, _IOC_READ } from '@rfl/kernel';
 * const cmd = new file.IoctlCommand(_IOR('|', 0x81, 4), 0x7000);
 * [cmd.dir, String.fromCharCode(cmd.type), cmd.nr, cmd.size] // => [_IOC_READ, '|', 0x81, 4]
 * cmd.raw() // => [_IOR('|', 0x81, 4), 0x7000]
 * ```
 */
export class IoctlCommand {
  readonly #cmd: number;
  readonly #arg: number;
  #slice: UserSlice | null;

  /**
   * Decodes `cmd`; `arg` is the user's third argument. A command with a direction and a
   * size gets a {@link UserSlice} of `size` bytes at `arg`.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * new file.IoctlCommand(0x5401, 0).size // => 0
   * ```
   */
  constructor(cmd: number, arg: number) {
    this.#cmd = cmd >>> 0;
    this.#arg = arg;
    const size = _IOC_SIZE(this.#cmd);
    this.#slice = _IOC_DIR(this.#cmd) === _IOC_NONE || size === 0 ? null : UserSlice.new(arg, size);
  }

  /**
   * `_IOC_DIR`: `_IOC_NONE`, `_IOC_READ`, `_IOC_WRITE` or both.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { _IOW, _IOC_WRITE } from '@rfl/kernel';
   * new file.IoctlCommand(_IOW('|', 0x82, 4), 0).dir // => _IOC_WRITE
   * ```
   */
  get dir(): number {
    return _IOC_DIR(this.#cmd);
  }

  /**
   * `_IOC_TYPE`: the driver's letter, as a number.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { _IO } from '@rfl/kernel';
   * new file.IoctlCommand(_IO('|', 0x80), 0).type // => 0x7c
   * ```
   */
  get type(): number {
    return _IOC_TYPE(this.#cmd);
  }

  /**
   * `_IOC_NR`: the command's number within its type.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { _IO } from '@rfl/kernel';
   * new file.IoctlCommand(_IO('|', 0x80), 0).nr // => 0x80
   * ```
   */
  get nr(): number {
    return _IOC_NR(this.#cmd);
  }

  /**
   * `_IOC_SIZE`: the size of the argument the command moves.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { _IOWR } from '@rfl/kernel';
   * new file.IoctlCommand(_IOWR('|', 1, 16), 0).size // => 16
   * ```
   */
  get size(): number {
    return _IOC_SIZE(this.#cmd);
  }

  /**
   * The command and argument as the system call gave them, for drivers that decode them
   * themselves (and for the sample's `match`).
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * new file.IoctlCommand(7, 42).raw() // => [7, 42]
   * ```
   */
  raw(): [cmd: number, arg: number] {
    return [this.#cmd, this.#arg];
  }

  /**
   * Calls the handler for the command's direction with `target` (usually the per-open
   * data) and the user argument (`dispatch`). The user slice is handed out once: a second
   * dispatch of the same command, like a command with a direction but no size, is
   * `EINVAL`. A missing handler is `ENOTTY`.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { _IO } from '@rfl/kernel';
   * const HELLO = _IO('|', 0x80);
   * const said: string[] = [];
   * const handler: file.IoctlHandler<string[]> = {
   *   pure(log, _f, cmd) {
   *     if (cmd !== HELLO) file.ioctlUnknown(cmd);
   *     log.push('hello');
   *     return 0;
   *   },
   * };
   * const f = file.File.forTest({ flags: 0, pos: 0 });
   * new file.IoctlCommand(HELLO, 0).dispatch(handler, said, f) // => 0
   * said // => ['hello']
   * let code = '';
   * try { new file.IoctlCommand(_IO('|', 0x99), 0).dispatch(handler, said, f); } catch (e) { code = (e as { code: string }).code; }
   * code // => 'ENOTTY'
   * ```
   */
  dispatch<T>(handler: IoctlHandler<T>, target: T, file: File): MaybePromise<number> {
    const dir = this.dir;
    const cmd = this.#cmd;
    if (dir === _IOC_NONE) {
      if (!handler.pure) return ioctlUnknown(cmd);
      return handler.pure(target, file, cmd, this.#arg);
    }
    const slice = this.#slice;
    if (slice === null) throw new KernelError(EINVAL, 'ioctl argument has no size or was taken');
    this.#slice = null;
    switch (dir) {
      case _IOC_WRITE:
        if (!handler.write) return ioctlUnknown(cmd);
        return handler.write(target, file, cmd, slice.reader());
      case _IOC_READ:
        if (!handler.read) return ioctlUnknown(cmd);
        return handler.read(target, file, cmd, slice.writer());
      default:
        if (!handler.readWrite) return ioctlUnknown(cmd);
        return handler.readWrite(target, file, cmd, slice);
    }
  }
}
