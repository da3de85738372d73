/**
 * `foxes` (the seed's `rust_foxes`): a misc device, `/dev/foxes` (mode 0444), that prints
 * foxes.
 *
 * ```sh
 * $ cat /dev/foxes | head -c 8
 * 🦊🦊
 * ```
 *
 * Each open gets a count of 200 foxes (U+1F98A, four bytes of UTF-8) in a `KBox`: the
 * per-open `Data` of its file operations. `read` writes as many *whole* foxes as fit in
 * the reader's buffer, never a torn one, takes them off the count, and returns 0 once the
 * count is exhausted, so `cat /dev/foxes` prints exactly 200 foxes and stops. A buffer
 * smaller than a fox gets 0 bytes and no fox is consumed: `dd bs=1` reads 0, takes it for
 * the end of the file, and copies nothing.
 *
 * With the module parameter `global=1` the module registers the seed's unpushed variant
 * instead: one count in an `Arc`, the registration's `OpenData`, cloned by every `open`,
 * so all readers together get 200 foxes.
 *
 * The module is written against the old RFL tree's API the seed used (`miscdev.Options`,
 * `file.Operations` with `OpenData` and `Data`, the `IoBufferWriter` trait); see
 * `spec/foxes.md`.
 *
 * @module
 */

import { GFP_KERNEL, KBox } from '@rfl/alloc';
import type { IoBufferWriter } from '@rfl/io-buffer';
import { EFAULT } from '@rfl/kernel';
import { type file, miscdev, module, type ThisModule } from '@rfl/miscdev';
import { Arc, type ArcBorrow, Atomic, Full, Relaxed } from '@rfl/sync';
import { KernelError } from '@rfl/types';

/** U+1F98A FOX FACE in UTF-8. */
const FOX = new TextEncoder().encode('\u{1F98A}');
/** Foxes each open file gets (or all of them, with `global=1`). */
export const FOXES = 200;
/** Every fox a read can hand out, side by side: one copy serves a whole read. */
const DEN = new Uint8Array(FOXES * FOX.length).map((_, i) => FOX[i % FOX.length]!);

function isFault(e: unknown): boolean {
  return e instanceof KernelError && e.errno === EFAULT;
}

/**
 * Writes `n` whole foxes, or as many as reach the buffer before a fault; how many. A
 * faulting `writeSlice` writes nothing that counts, so after a fault the foxes go one at
 * a time, to find how many fit before it. A fault before the first fox is `EFAULT`.
 */
function writeWholeFoxes(writer: IoBufferWriter, n: number): number {
  try {
    writer.writeSlice(DEN.subarray(0, n * FOX.length));
    return n;
  } catch (e) {
    if (!isFault(e)) throw e;
  }
  let written = 0;
  try {
    for (; written < n; written++) writer.writeSlice(FOX);
  } catch (e) {
    if (written === 0 || !isFault(e)) throw e;
  }
  return written;
}

/**
 * Writes up to `count`'s worth of whole foxes to `writer` and takes them off `count`;
 * the bytes written. The foxes are claimed before they are written, with a compare and
 * exchange, so readers sharing one count (`global=1`) never hand out the same fox twice
 * nor take the count below zero; the foxes a fault kept from the reader are given back.
 *
 * `count` is borrowed read-only (the seed's `&AtomicUsize`): an atomic is changed through
 * its methods, which a shared borrow allows.
 */
function writeFoxes(count: Readonly<Atomic<number>>, writer: IoBufferWriter): number {
  const fit = Math.floor(writer.len / FOX.length);
  let left = count.load(Relaxed);
  let claimed = Math.min(fit, left);
  while (claimed > 0) {
    const seen = count.cmpxchg(left, left - claimed, Full);
    if (seen.ok) break;
    left = seen.value;
    claimed = Math.min(fit, left);
  }
  if (claimed === 0) return 0;
  let written = 0;
  try {
    written = writeWholeFoxes(writer, claimed);
  } finally {
    if (written < claimed) count.fetchAdd(claimed - written, Full);
  }
  return written * FOX.length;
}

/** The seed's driver: a count of foxes per open file. */
export const FoxDev = {
  Data: KBox,
  open: (_context: undefined, _file: file.File) => KBox.new(Atomic.new(FOXES), GFP_KERNEL),
  read: (
    count: Readonly<Atomic<number>>,
    _file: file.File,
    writer: IoBufferWriter,
    _offset: number,
  ) => writeFoxes(count, writer),
} satisfies file.Operations<undefined, KBox<Atomic<number>>, Readonly<Atomic<number>>>;

/** The unpushed variant: every open file shares the registration's count. */
export const GlobalFoxDev = {
  Data: Arc,
  open: (count: Arc<Atomic<number>>, _file: file.File) => count.clone(),
  read: (
    count: ArcBorrow<Atomic<number>>,
    _file: file.File,
    writer: IoBufferWriter,
    _offset: number,
  ) => writeFoxes(count.value, writer),
} satisfies file.Operations<Arc<Atomic<number>>, Arc<Atomic<number>>, ArcBorrow<Atomic<number>>>;

/** The module's parameters. */
interface FoxesParams {
  readonly global: boolean;
}

/** The module's state: its misc device, deregistered when the module goes. */
class RustFoxes implements Disposable {
  readonly #reg: Disposable;

  private constructor(reg: Disposable) {
    this.#reg = reg;
  }

  static init(module: ThisModule<FoxesParams>): RustFoxes {
    const options = miscdev.Options.new().mode(0o444);
    if (module.params.global) {
      const count = Arc.new(Atomic.new(FOXES), GFP_KERNEL);
      return new RustFoxes(options.registerNew(GlobalFoxDev, 'foxes', count));
    }
    return new RustFoxes(options.registerNew(FoxDev, 'foxes', undefined));
  }

  [Symbol.dispose](): void {
    this.#reg[Symbol.dispose]();
  }
}

/** The module's declaration (`module!`), made when the sample is imported. */
export const foxes_module = module({
  type: RustFoxes,
  name: 'foxes',
  authors: ['rfl-ts'],
  description: 'Prints foxes',
  license: 'GPL',
  params: {
    global: {
      type: 'bool',
      default: false,
      perm: 0o444,
      description: 'One count of foxes for every open file, not one each',
    },
  },
});
