/**
 * The simulated machine's memory: one `SharedArrayBuffer` of physical memory
 * and the kernel's virtual address layout over it (x86-64's, 4-level paging).
 *
 * Kernel addresses are JavaScript numbers. x86-64 kernel addresses are the
 * sign-extended upper half of a 48-bit space (`0xffff888000000000` is the
 * direct map); a double cannot hold those exactly, so the simulation keeps the
 * 48-bit value (`0x888000000000`) and prints it sign-extended, as the CPU
 * would see it: `ffff888000000000`.
 *
 * - the direct map (`PAGE_OFFSET`): physical byte `p` is at `PAGE_OFFSET + p`;
 * - vmalloc space (`VMALLOC_START`): page-granular mappings of any pages;
 * - ioremap space (`IOREMAP_START`): device MMIO windows mapped by `ioremap`;
 *   x86 carves them out of vmalloc space, the simulation gives them the range
 *   right after it so a stray RAM access can never land in a device;
 * - vmemmap (`VMEMMAP_START`): one 64-byte `struct page` per page frame, so a
 *   `struct page *` is `VMEMMAP_START + pfn * 64`;
 * - the kernel image (`__START_KERNEL`, `ffffffff81000000`): text and
 *   read-only data. The simulated kernel is JavaScript, so its image is
 *   small: half a page of text and half a page of rodata, both backed by the
 *   reserved page frame 0, which the page allocator never hands out. They
 *   exist so that hardened usercopy can refuse copies of kernel text and
 *   allow copies of rodata, as LKDTM's USERCOPY_KERNEL test expects.
 *
 * @module
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = ~(PAGE_SIZE - 1);
/** `MAX_PAGE_ORDER`: the buddy allocator's largest block is 2^10 pages (4 MiB). */
export const MAX_PAGE_ORDER = 10;
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
/** Orders above this are "costly" (`PAGE_ALLOC_COSTLY_ORDER`). */
export const PAGE_ALLOC_COSTLY_ORDER = 3;

/** The direct map of all physical memory (`__PAGE_OFFSET_BASE_L4`). */
export const PAGE_OFFSET = 0x888000000000;
/** The start of vmalloc space (`__VMALLOC_BASE_L4`). */
export const VMALLOC_START = 0xc90000000000;
/** 4 GiB of vmalloc space is enough for the simulation. */
export const VMALLOC_SIZE = 2 ** 32;
export const VMALLOC_END = VMALLOC_START + VMALLOC_SIZE;
/** The start of ioremap space: `ffffc90100000000`, inside x86's vmalloc range. */
export const IOREMAP_START = VMALLOC_END;
/** 4 GiB of ioremap space. */
export const IOREMAP_SIZE = 2 ** 32;
export const IOREMAP_END = IOREMAP_START + IOREMAP_SIZE;
/** The `struct page` array (`__VMEMMAP_BASE_L4`). */
export const VMEMMAP_START = 0xea0000000000;
/** `sizeof(struct page)`. */
export const STRUCT_PAGE_SIZE = 64;

/** The start of kernel text (`_stext`, `__START_KERNEL` of x86-64). */
export const _stext = 0xffff81000000;
/** The end of kernel text (`_etext`). */
export const _etext = _stext + PAGE_SIZE / 2;
/** The start of the kernel's read-only data (`__start_rodata`). */
export const __start_rodata = 0xffff82000000;
/** The end of the kernel's read-only data (`__end_rodata`). */
export const __end_rodata = __start_rodata + PAGE_SIZE / 2;
/** Where text and rodata live in physical memory (in the reserved frame 0). */
const TEXT_PHYS = 0;
const RODATA_PHYS = PAGE_SIZE / 2;

/** The default size of physical memory: 64 MiB. */
export const DEFAULT_MEM_SIZE = 64 << 20;

/** The whole of physical memory and typed views of it. */
export let phys_mem = new SharedArrayBuffer(0);
export let mem_u8 = new Uint8Array(phys_mem);
export let mem_view = new DataView(phys_mem);
/** Bytes of physical memory. */
export let mem_size = 0;
/** Page frames of physical memory. */
export let nr_pages = 0;

/** Replaces physical memory with `size` fresh zero bytes (a reboot). */
export function phys_mem_init(size: number): void {
  if (size % (PAGE_SIZE << MAX_PAGE_ORDER) !== 0 || size <= 0 || size > 2 ** 31) {
    throw new RangeError(
      `memory size must be a positive multiple of 4 MiB up to 2 GiB, got ${size}`,
    );
  }
  phys_mem = new SharedArrayBuffer(size);
  mem_u8 = new Uint8Array(phys_mem);
  mem_view = new DataView(phys_mem);
  mem_size = size;
  nr_pages = size >>> PAGE_SHIFT;
  mem_u8.set(rodata, RODATA_PHYS);
}

/** The contents of rodata, kept outside memory so that a reboot restores them. */
const rodata = new Uint8Array(__end_rodata - __start_rodata);
let rodata_used = 0;

/**
 * Places constant bytes (a string is stored NUL-terminated) in the kernel's
 * rodata, as the linker places a `static const` object, and returns their
 * address; the same contents get the same address. They survive reboots.
 *
 * @example
 * ```ts
 * import { __end_rodata, __start_rodata, kernel_rodata, kaddr_hex, readb } from '@rfl/kernel';
 * const text = kernel_rodata('This is a test.\n');
 * text >= __start_rodata && text < __end_rodata // => true
 * String.fromCharCode(readb(text)) // => 'T'
 * kaddr_hex(__start_rodata) // => 'ffffffff82000000'
 * ```
 */
export function kernel_rodata(contents: string | Uint8Array): number {
  const bytes = typeof contents === 'string' ? new TextEncoder().encode(`${contents}\0`) : contents;
  for (let off = 0; off + bytes.length <= rodata_used; off++) {
    if (bytes.every((b, i) => rodata[off + i] === b)) return __start_rodata + off;
  }
  if (rodata_used + bytes.length > rodata.length) {
    throw new RangeError(`kernel rodata is full (${rodata.length} bytes)`);
  }
  const off = rodata_used;
  rodata.set(bytes, off);
  rodata_used += bytes.length;
  if (mem_size > 0) mem_u8.set(bytes, RODATA_PHYS + off);
  return __start_rodata + off;
}

/** The physical address behind a kernel-image address, or -1. */
export function kernel_image_phys(addr: number): number {
  if (addr >= _stext && addr < _etext) return TEXT_PHYS + (addr - _stext);
  if (addr >= __start_rodata && addr < __end_rodata) return RODATA_PHYS + (addr - __start_rodata);
  return -1;
}

/** Whether `addr` is in kernel text (`is_kernel_text`). */
export function is_kernel_text(addr: number): boolean {
  return addr >= _stext && addr < _etext;
}

/** Whether `addr` is in the kernel's rodata (`is_kernel_rodata`). */
export function is_kernel_rodata(addr: number): boolean {
  return addr >= __start_rodata && addr < __end_rodata;
}

/** The physical address of a direct-map address (`__pa`). */
export function __pa(addr: number): number {
  return addr - PAGE_OFFSET;
}

/** The direct-map address of a physical address (`__va`). */
export function __va(phys: number): number {
  return phys + PAGE_OFFSET;
}

/** Whether `addr` is in the direct map of existing memory (`virt_addr_valid`). */
export function virt_addr_valid(addr: number): boolean {
  const p = addr - PAGE_OFFSET;
  return p >= 0 && p < mem_size;
}

/** Whether `addr` is in ioremap space (where `ioremap` puts MMIO windows). */
export function is_ioremap_addr(addr: number): boolean {
  return addr >= IOREMAP_START && addr < IOREMAP_END;
}

/** Whether `addr` is in vmalloc space (`is_vmalloc_addr`). */
export function is_vmalloc_addr(addr: number): boolean {
  return addr >= VMALLOC_START && addr < VMALLOC_END;
}

/**
 * A kernel address as `%px` prints it: 16 hex digits, sign-extended from bit
 * 47 like a canonical x86-64 address.
 *
 * @example
 * ```ts
 * import { kaddr_hex } from '@rfl/kernel';
 * kaddr_hex(0x888000001000) // => 'ffff888000001000'
 * kaddr_hex(0x1000) // => '0000000000001000'
 * ```
 */
export function kaddr_hex(addr: number): string {
  const hex = Math.trunc(addr).toString(16).padStart(12, '0');
  if (addr >= 2 ** 47 && addr < 2 ** 48) return `ffff${hex}`;
  return hex.padStart(16, '0');
}
