import {
  EBUSY,
  EINVAL,
  ENOMEM,
  ioremap,
  iounmap,
  readb,
  readl,
  readw,
  release_mem_region,
  request_mem_region,
  type resource,
  resource_size,
  writeb,
  writel,
  writew,
} from '@rfl/kernel';
import { KernelError, useOfMovedValue } from '@rfl/types';

/** The width in bytes of one register access. */
type Width = 1 | 2 | 4;

/**
 * Memory-mapped registers of a device, `SIZE` bytes of them (`kernel::io_mem::IoMem<SIZE>`).
 * The window is claimed (`request_mem_region`) and mapped (`ioremap`) when made, unmapped and
 * released when disposed, so nothing can reach the registers through it afterwards.
 *
 * The accessors check `offset + width <= SIZE` and the alignment. In Rust the plain
 * accessors check at compile time (`build_assert!`): a driver with a bad constant offset does
 * not build. TypeScript cannot compare numbers in types, so the plain accessors throw a
 * `RangeError` — a bug in the driver, found by the first test that runs the line — and the
 * `try*` accessors, meant for computed offsets, throw `EINVAL` for the caller to handle.
 *
 * # Invariants
 *
 * While not disposed, `[addr, addr + SIZE)` is a live `ioremap()` mapping that this object
 * owns, of a region it claimed.
 *
 * @example
 * ```ts
 * import { IoMem } from '@rfl/gpio-pl061';
 * import { DEFINE_RES_MEM, sim_mmio_register, sim_mmio_unregister } from '@rfl/kernel';
 * # import { io_init, resource_init } from '@rfl/kernel';
 * # io_init(); resource_init();
 * const regs = new Uint8Array(0x10);
 * sim_mmio_register(0xfe010000, 0x10, 'scratch', {
 *   read: (off) => regs[off] ?? 0,
 *   write: (off, _size, v) => { regs[off] = Number(v); },
 * });
 * {
 *   using io = IoMem.tryNew(DEFINE_RES_MEM(0xfe010000, 0x10), 0x10);
 *   io.writeb(0x5a, 0x4);
 *   io.readb(0x4) // => 0x5a
 *   let code = '';
 *   try { io.tryReadb(0x10); } catch (e) { code = (e as { code: string }).code; }
 *   code // => 'EINVAL'
 * }
 * sim_mmio_unregister(0xfe010000);
 * ```
 */
export class IoMem<SIZE extends number = number> implements Disposable {
  readonly size: SIZE;
  #addr: number;
  readonly #res: resource;

  private constructor(addr: number, size: SIZE, res: resource) {
    this.#addr = addr;
    this.size = size;
    this.#res = res;
  }

  /**
   * Claims and maps the first `size` bytes of `res`: `EINVAL` when the resource is smaller,
   * `EBUSY` when another driver has claimed it, `ENOMEM` when it cannot be mapped.
   *
   * @example
   * ```ts should_throw=EBUSY
   * import { IoMem } from '@rfl/gpio-pl061';
   * import { DEFINE_RES_MEM, request_mem_region } from '@rfl/kernel';
   * # import { io_init, resource_init } from '@rfl/kernel';
   * # io_init(); resource_init();
   * request_mem_region(0xfe011000, 0x1000, 'the C driver');
   * IoMem.tryNew(DEFINE_RES_MEM(0xfe011000, 0x1000), 0x1000);
   * ```
   */
  static tryNew<SIZE extends number>(res: resource, size: SIZE): IoMem<SIZE> {
    if (resource_size(res) < size) {
      throw new KernelError(EINVAL, `resource of ${resource_size(res)} bytes, need ${size}`);
    }
    const claim = request_mem_region(res.start, size, res.name);
    if (claim === null) throw new KernelError(EBUSY, `${res.name}: registers already claimed`);
    // SAFETY: the region was claimed just above, so no other driver maps it through us; the
    // mapping is owned by the returned object and undone once, in its dispose.
    const addr = ioremap(res.start, size);
    if (addr === 0) {
      release_mem_region(res.start, size);
      throw new KernelError(ENOMEM);
    }
    return new IoMem(addr, size, claim);
  }

  #at(offset: number, width: Width, use: string): number {
    if (this.#addr === 0) throw useOfMovedValue('IoMem', use);
    if (!IoMem.#valid(offset, width, this.size)) {
      throw new RangeError(
        `IoMem<0x${this.size.toString(16)}>: ${use} at offset 0x${offset.toString(16)} is out of bounds or unaligned`,
      );
    }
    return this.#addr + offset;
  }

  #tryAt(offset: number, width: Width, use: string): number {
    if (!IoMem.#valid(offset, width, this.size)) {
      throw new KernelError(EINVAL, `${use} at offset 0x${offset.toString(16)}`);
    }
    return this.#at(offset, width, use);
  }

  static #valid(offset: number, width: Width, size: number): boolean {
    return (
      Number.isInteger(offset) && offset >= 0 && offset + width <= size && offset % width === 0
    );
  }

  // SAFETY (all accessors): `#at`/`#tryAt` return an address inside the live mapping, by the
  // type invariant and the bounds check.

  /** Reads the byte register at `offset`. */
  readb(offset: number): number {
    return readb(this.#at(offset, 1, 'readb'));
  }
  /** Reads the 16-bit register at `offset`. */
  readw(offset: number): number {
    return readw(this.#at(offset, 2, 'readw'));
  }
  /** Reads the 32-bit register at `offset`. */
  readl(offset: number): number {
    return readl(this.#at(offset, 4, 'readl'));
  }
  /** Writes the byte register at `offset`. */
  writeb(value: number, offset: number): void {
    writeb(value, this.#at(offset, 1, 'writeb'));
  }
  /** Writes the 16-bit register at `offset`. */
  writew(value: number, offset: number): void {
    writew(value, this.#at(offset, 2, 'writew'));
  }
  /** Writes the 32-bit register at `offset`. */
  writel(value: number, offset: number): void {
    writel(value, this.#at(offset, 4, 'writel'));
  }
  /** {@link readb} at a computed offset: `EINVAL` instead of a bug when out of bounds. */
  tryReadb(offset: number): number {
    return readb(this.#tryAt(offset, 1, 'try_readb'));
  }
  /** {@link readl} at a computed offset. */
  tryReadl(offset: number): number {
    return readl(this.#tryAt(offset, 4, 'try_readl'));
  }
  /** {@link writeb} at a computed offset. */
  tryWriteb(value: number, offset: number): void {
    writeb(value, this.#tryAt(offset, 1, 'try_writeb'));
  }
  /** {@link writel} at a computed offset. */
  tryWritel(value: number, offset: number): void {
    writel(value, this.#tryAt(offset, 4, 'try_writel'));
  }

  /** Unmaps the registers and releases the claim; later accesses are uses of a moved value. */
  [Symbol.dispose](): void {
    if (this.#addr === 0) return;
    // SAFETY: by the invariant the mapping is ours; clearing `#addr` first makes every later
    // access fail before it can reach the unmapped address.
    const addr = this.#addr;
    this.#addr = 0;
    iounmap(addr);
    release_mem_region(this.#res.start, this.size);
  }
}
