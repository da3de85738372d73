/**
 * The user program's side of user memory: what the shell and tests use to
 * act, in the current task's address space, as a program touching its own
 * memory would (simulation helpers; a real program just dereferences).
 *
 * A user-side access that faults — nothing mapped, PROT_NONE, a write to a
 * read-only mapping — is not a kernel bug: the kernel prints its
 * `comm[pid]: segfault at …` line and delivers SIGSEGV, which kills the
 * process. The helpers model that by throwing a {@link ForcedSignal}
 * (`code` `'SIGSEGV'`); a task spawned with `sim_spawn` that lets it escape
 * exits with status 139 (128 + SIGSEGV), and no Oops is printed.
 *
 * @example
 * ```ts
 * import { PROT_READ, sim_user_alloc, sim_user_read, sim_user_string, sim_user_write } from '@rfl/kernel';
 * const buf = sim_user_alloc(100);
 * sim_user_string(buf, 'fox') // => 4
 * Array.from(sim_user_read(buf, 4)) // => [0x66, 0x6f, 0x78, 0]
 * const ro = sim_user_alloc(4096, PROT_READ);
 * sim_user_read(ro, 2) // => new Uint8Array(2)
 * ```
 *
 * @example
 * ```ts should_throw=SIGSEGV
 * import { PROT_READ, sim_user_alloc, sim_user_write } from '@rfl/kernel';
 * sim_user_write(sim_user_alloc(4096, PROT_READ), new Uint8Array([1]));
 * ```
 *
 * @module
 */

import { KERN_CONT, KERN_EMERG, KERN_INFO, printk } from '../printk.js';
import { ForcedSignal } from '../sched/core.js';
import { SIGSEGV } from '../sched/signal.js';
import { current } from '../sched/task.js';
import { mem_u8, PAGE_SIZE } from './layout.js';
import {
  do_mmap,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  type mm_struct,
  PROT_READ,
  PROT_WRITE,
  user_page_phys,
  vm_munmap,
} from './mmap.js';

// x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h).
const X86_PF_PROT = 1;
const X86_PF_WRITE = 2;
const X86_PF_USER = 4;

function user_mm(): mm_struct {
  const task = current();
  if (task.mm === null) {
    throw new Error(`${task.comm}/${task.pid} is a kernel thread: it has no user memory`);
  }
  return task.mm;
}

/** `show_signal_msg` + `force_sig_fault(SIGSEGV)`: the process dies. */
function segfault(mm: mm_struct, addr: number, write: boolean): never {
  const task = current();
  const present = mm.pgd.has(Math.floor(addr / PAGE_SIZE));
  const error = X86_PF_USER | (write ? X86_PF_WRITE : 0) | (present ? X86_PF_PROT : 0);
  printk(
    `${task.pid > 1 ? KERN_INFO : KERN_EMERG}%s[%d]: segfault at %lx ip %016lx sp %016lx error %x`,
    task.comm,
    task.pid,
    addr,
    0,
    0,
    error,
  );
  printk(`${KERN_CONT} likely on CPU 0 (core 0, socket 0)\n`);
  throw new ForcedSignal(
    SIGSEGV,
    'SIGSEGV',
    `${task.comm}[${task.pid}]: segfault at ${addr.toString(16)}`,
  );
}

function user_touch(
  uaddr: number,
  n: number,
  write: boolean,
  fn: (phys: number, done: number, len: number) => void,
): void {
  const mm = user_mm();
  let done = 0;
  while (done < n) {
    const a = uaddr + done;
    const len = Math.min(n - done, PAGE_SIZE - (a % PAGE_SIZE));
    const phys = user_page_phys(mm, a, write, false);
    if (phys < 0) segfault(mm, a, write);
    fn(phys, done, len);
    done += len;
  }
}

/**
 * Maps `len` bytes of anonymous memory in the current task
 * (`mmap(NULL, len, prot, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`); returns the
 * address, or a negative errno.
 */
export function sim_user_alloc(len: number, prot = PROT_READ | PROT_WRITE): number {
  return do_mmap(user_mm(), 0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, 0);
}

/** Unmaps `[uaddr, uaddr+len)` of the current task (`munmap`); 0 or a negative errno. */
export function sim_user_free(uaddr: number, len: number): number {
  return vm_munmap(user_mm(), uaddr, len);
}

/** Stores `bytes` at `uaddr` as the user program; SIGSEGV on a fault. */
export function sim_user_write(uaddr: number, bytes: Uint8Array): void {
  user_touch(uaddr, bytes.length, true, (phys, done, len) => {
    mem_u8.set(bytes.subarray(done, done + len), phys);
  });
}

/** Loads `len` bytes at `uaddr` as the user program; SIGSEGV on a fault. */
export function sim_user_read(uaddr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  user_touch(uaddr, len, false, (phys, done, n) => {
    out.set(mem_u8.subarray(phys, phys + n), done);
  });
  return out;
}

/** Stores `s` as UTF-8 plus a NUL at `uaddr`; returns the bytes written. */
export function sim_user_string(uaddr: number, s: string): number {
  const bytes = new TextEncoder().encode(`${s}\0`);
  sim_user_write(uaddr, bytes);
  return bytes.length;
}

/**
 * A NUL-terminated copy of `s` in fresh anonymous memory of the current
 * task (what a program's string literal or `strdup` gives it); its address.
 */
export function sim_user_strdup(s: string): number {
  const bytes = new TextEncoder().encode(`${s}\0`);
  const uaddr = sim_user_alloc(bytes.length);
  if (uaddr < 0) return uaddr;
  sim_user_write(uaddr, bytes);
  return uaddr;
}

/**
 * Reads the NUL-terminated string at `uaddr` (at most `max` bytes) as the
 * user program; SIGSEGV on a fault before the NUL.
 */
export function sim_user_read_string(uaddr: number, max = 4096): string {
  const bytes: number[] = [];
  let found = false;
  const mm = user_mm();
  for (let a = uaddr; a < uaddr + max && !found; ) {
    const len = Math.min(uaddr + max - a, PAGE_SIZE - (a % PAGE_SIZE));
    const phys = user_page_phys(mm, a, false, false);
    if (phys < 0) segfault(mm, a, false);
    for (let i = 0; i < len; i++) {
      const b = mem_u8[phys + i]!;
      if (b === 0) {
        found = true;
        break;
      }
      bytes.push(b);
    }
    a += len;
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
