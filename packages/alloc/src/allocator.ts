import {
  __vmalloc,
  ENOMEM,
  kfree,
  kmalloc,
  krealloc,
  kvfree,
  kvmalloc,
  memcpy,
  PAGE_SIZE,
  pr_warn,
  vfree,
  vrealloc,
} from '@rfl/kernel';
import { KernelError } from '@rfl/types';
import type { Flags } from './flags.js';

/**
 * The error of a failed allocation (`AllocError`): `ENOMEM` at the C boundary.
 *
 * @example
 * ```ts
 * import { AllocError } from '@rfl/alloc';
 * const e = new AllocError();
 * e.code // => 'ENOMEM'
 * e.toErrno() // => -12
 * ```
 */
export class AllocError extends KernelError {
  constructor(message = 'memory allocation failed') {
    super(ENOMEM, message);
  }
}

/**
 * The allocators there are; a container's type records which one owns its memory.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, type AllocatorName, KVBox } from '@rfl/alloc';
 * using b = KVBox.new(0, GFP_KERNEL);
 * const name: AllocatorName = b.allocator;
 * name // => 'KVmalloc'
 * ```
 */
export type AllocatorName = 'Kmalloc' | 'Vmalloc' | 'KVmalloc';

/**
 * A kernel memory allocator, as `kernel::alloc::Allocator`. Sizes and alignments are in
 * bytes; a zero size allocates nothing and gives a dangling, non-null address (the
 * alignment), which `free` ignores. A failure throws {@link AllocError}.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, Kmalloc, type Allocator } from '@rfl/alloc';
 * import { ksize } from '@rfl/kernel';
 * const a: Allocator = Kmalloc;
 * const p = a.alloc(24, 8, GFP_KERNEL);
 * ksize(p) // => 32
 * a.free(p, 24);
 * a.alloc(0, 8, GFP_KERNEL) // => 8
 * ```
 */
export interface Allocator<N extends AllocatorName = AllocatorName> {
  readonly name: N;
  /** Allocates `size` bytes aligned to `align`. */
  alloc(size: number, align: number, flags: Flags): number;
  /** Resizes the allocation at `ptr` (of `oldSize` bytes) to `newSize`, keeping its contents. */
  realloc(ptr: number, oldSize: number, newSize: number, align: number, flags: Flags): number;
  /** Frees the allocation at `ptr` of `size` bytes. */
  free(ptr: number, size: number): void;
}

function failed(what: string, size: number): never {
  throw new AllocError(`${what}: cannot allocate ${size} bytes`);
}

/**
 * `Kmalloc`: physically contiguous memory from the slab caches (`kmalloc`/`krealloc`/`kfree`),
 * up to `KMALLOC_MAX_SIZE`. A size is rounded up to its alignment, since kmalloc aligns
 * power-of-two sizes naturally.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, Kmalloc } from '@rfl/alloc';
 * const p = Kmalloc.alloc(100, 8, GFP_KERNEL);
 * const q = Kmalloc.realloc(p, 100, 300, 8, GFP_KERNEL);
 * q !== 0 // => true
 * Kmalloc.free(q, 300);
 * ```
 */
export const Kmalloc: Allocator<'Kmalloc'> = {
  name: 'Kmalloc',
  alloc(size, align, flags) {
    if (size === 0) return align;
    const p = kmalloc(alignedSize(size, align), flags.asRaw());
    return p === 0 ? failed('Kmalloc', size) : p;
  },
  realloc(ptr, oldSize, newSize, align, flags) {
    if (oldSize === 0) return this.alloc(newSize, align, flags);
    if (newSize === 0) {
      this.free(ptr, oldSize);
      return align;
    }
    const p = krealloc(ptr, alignedSize(newSize, align), flags.asRaw());
    return p === 0 ? failed('Kmalloc', newSize) : p;
  },
  free(ptr, size) {
    if (size !== 0) kfree(ptr);
  },
};

function alignedSize(size: number, align: number): number {
  const padded = Math.ceil(size / align) * align;
  return Math.max(padded, align);
}

function pageAligned(what: string, align: number): void {
  if (align > PAGE_SIZE) {
    pr_warn('%s: %d alignment not supported\n', what, align);
    throw new AllocError(`${what}: alignment ${align} above a page`);
  }
}

/**
 * `Vmalloc`: virtually contiguous memory (`__vmalloc`/`vrealloc`/`vfree`), for large buffers;
 * alignment above a page is not supported.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, Vmalloc } from '@rfl/alloc';
 * import { is_vmalloc_addr } from '@rfl/kernel';
 * const p = Vmalloc.alloc(64 << 10, 8, GFP_KERNEL);
 * is_vmalloc_addr(p) // => true
 * Vmalloc.free(p, 64 << 10);
 * ```
 *
 * ```ts should_throw=ENOMEM
 * import { GFP_KERNEL, Vmalloc } from '@rfl/alloc';
 * Vmalloc.alloc(4096, 8192, GFP_KERNEL);
 * ```
 */
export const Vmalloc: Allocator<'Vmalloc'> = {
  name: 'Vmalloc',
  alloc(size, align, flags) {
    pageAligned('Vmalloc', align);
    if (size === 0) return align;
    const p = __vmalloc(size, flags.asRaw());
    return p === 0 ? failed('Vmalloc', size) : p;
  },
  realloc(ptr, oldSize, newSize, align, flags) {
    pageAligned('Vmalloc', align);
    if (oldSize === 0) return this.alloc(newSize, align, flags);
    if (newSize === 0) {
      this.free(ptr, oldSize);
      return align;
    }
    const p = vrealloc(ptr, newSize, flags.asRaw());
    return p === 0 ? failed('Vmalloc', newSize) : p;
  },
  free(ptr, size) {
    if (size !== 0) vfree(ptr);
  },
};

/**
 * `KVmalloc`: kmalloc first, vmalloc when that fails (`kvmalloc`/`kvfree`). Alignment above a
 * page is not supported. The simulated kernel has no `kvrealloc()`, so a resize allocates,
 * copies and frees.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KVmalloc } from '@rfl/alloc';
 * import { is_vmalloc_addr, KMALLOC_MAX_SIZE } from '@rfl/kernel';
 * const small = KVmalloc.alloc(64, 8, GFP_KERNEL);
 * is_vmalloc_addr(small) // => false
 * const big = KVmalloc.alloc(KMALLOC_MAX_SIZE + 1, 8, GFP_KERNEL);
 * is_vmalloc_addr(big) // => true
 * KVmalloc.free(small, 64);
 * KVmalloc.free(big, KMALLOC_MAX_SIZE + 1);
 * ```
 */
export const KVmalloc: Allocator<'KVmalloc'> = {
  name: 'KVmalloc',
  alloc(size, align, flags) {
    pageAligned('KVmalloc', align);
    if (size === 0) return align;
    const p = kvmalloc(alignedSize(size, align), flags.asRaw());
    return p === 0 ? failed('KVmalloc', size) : p;
  },
  realloc(ptr, oldSize, newSize, align, flags) {
    const p = this.alloc(newSize, align, flags);
    if (oldSize !== 0) {
      memcpy(p, ptr, Math.min(oldSize, newSize));
      this.free(ptr, oldSize);
    }
    return p;
  },
  free(ptr, size) {
    if (size !== 0) kvfree(ptr);
  },
};
