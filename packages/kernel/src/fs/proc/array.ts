/**
 * `/proc/<pid>/status` (fs/proc/array.c `proc_pid_status`): the lines and
 * the order of the kernel's, tab-separated, so that `grep State:` and
 * `awk '/^PPid/'` scripts work.
 *
 * What the simulated machine does not have reads as a machine without it
 * would: one CPU and one memory node, no supplementary groups, no seccomp,
 * no namespaces beyond the initial ones, root's full capability set
 * (`000001ffffffffff`: CAP_LAST_CAP is 40) for uid 0 and none for others.
 * A task with a user address space has the `Vm*`/`Rss*` lines, all its
 * memory counting as anonymous data (the simulation maps nothing else).
 *
 * @module
 */

import { mem_size, PAGE_SIZE } from '../../mm/layout.js';
import type { mm_struct } from '../../mm/mmap.js';
import {
  PF_KTHREAD,
  TASK_INTERRUPTIBLE,
  TASK_UNINTERRUPTIBLE,
  type task_struct,
} from '../../sched/task.js';
import { cred_of, task_umask } from '../cred.js';

/** `task_state_array[]`. */
const task_state_array = [
  'R (running)',
  'S (sleeping)',
  'D (disk sleep)',
  'T (stopped)',
  't (tracing stop)',
  'X (dead)',
  'Z (zombie)',
  'P (parked)',
  'I (idle)',
];

/** `get_task_state`: the `State:` text of `task`. */
export function get_task_state(task: task_struct): string {
  if (task.exit_state !== 0) return task_state_array[6]!;
  if (task.__state & TASK_UNINTERRUPTIBLE) return task_state_array[2]!;
  if (task.__state & TASK_INTERRUPTIBLE) return task_state_array[1]!;
  return task_state_array[0]!;
}

function sigset_hex(signals: Iterable<number>): string {
  let mask = 0n;
  for (const sig of signals) if (sig >= 1 && sig <= 64) mask |= 1n << BigInt(sig - 1);
  return mask.toString(16).padStart(16, '0');
}

/** `RLIMIT_SIGPENDING` of init: half of `max_threads`, which scales with memory. */
function sigpending_limit(): number {
  const max_threads = Math.max(20, Math.floor(mem_size / (16384 * 8)));
  return Math.floor(max_threads / 2);
}

/** `task_mem`: sizes in kB, right-aligned in 8 columns as `seq_put_decimal_ull_width` does. */
function task_mem(mm: mm_struct): string[] {
  const kb = (pages: number) => `${String(pages * (PAGE_SIZE >> 10)).padStart(8, ' ')} kB`;
  const ptes = Math.ceil(mm.pgd.size / 512);
  return [
    `VmPeak:\t${kb(mm.total_vm)}`,
    `VmSize:\t${kb(mm.total_vm)}`,
    `VmLck:\t${kb(0)}`,
    `VmPin:\t${kb(0)}`,
    `VmHWM:\t${kb(mm.anon_rss)}`,
    `VmRSS:\t${kb(mm.anon_rss)}`,
    `RssAnon:\t${kb(mm.anon_rss)}`,
    `RssFile:\t${kb(0)}`,
    `RssShmem:\t${kb(0)}`,
    `VmData:\t${kb(mm.total_vm)}`,
    `VmStk:\t${kb(0)}`,
    `VmExe:\t${kb(0)}`,
    `VmLib:\t${kb(0)}`,
    `VmPTE:\t${kb(ptes)}`,
    `VmSwap:\t${kb(0)}`,
    `HugetlbPages:\t${kb(0)}`,
    'CoreDumping:\t0',
    'THP_enabled:\t1',
    'untag_mask:\t0xffffffffffffffff',
  ];
}

const CAP_FULL_SET = '000001ffffffffff';
const CAP_EMPTY_SET = '0000000000000000';

/** The text of `/proc/<pid>/status` for `task`. */
export function proc_pid_status(task: task_struct): string {
  const cred = cred_of(task);
  const uid = cred.fsuid;
  const gid = cred.fsgid;
  const ppid = task.pid > 1 ? (task.real_parent?.pid ?? 0) : 0;
  const fdsize = task.files ? 64 : 0;
  const caps = uid === 0 ? CAP_FULL_SET : CAP_EMPTY_SET;
  const lines = [
    `Name:\t${task.comm}`,
    `Umask:\t0${task_umask(task).toString(8).padStart(3, '0')}`,
    `State:\t${get_task_state(task)}`,
    `Tgid:\t${task.pid}`,
    'Ngid:\t0',
    `Pid:\t${task.pid}`,
    `PPid:\t${ppid}`,
    'TracerPid:\t0',
    `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    `Gid:\t${gid}\t${gid}\t${gid}\t${gid}`,
    `FDSize:\t${fdsize}`,
    'Groups:\t ',
    `NStgid:\t${task.pid}`,
    `NSpid:\t${task.pid}`,
    `NSpgid:\t${task.pid}`,
    `NSsid:\t${task.pid}`,
    `Kthread:\t${task.flags & PF_KTHREAD ? 1 : 0}`,
    ...(task.mm ? task_mem(task.mm) : []),
    'Threads:\t1',
    `SigQ:\t${task.pending.size}/${sigpending_limit()}`,
    `SigPnd:\t${sigset_hex(task.pending)}`,
    `ShdPnd:\t${CAP_EMPTY_SET}`,
    `SigBlk:\t${CAP_EMPTY_SET}`,
    `SigIgn:\t${CAP_EMPTY_SET}`,
    `SigCgt:\t${CAP_EMPTY_SET}`,
    `CapInh:\t${CAP_EMPTY_SET}`,
    `CapPrm:\t${caps}`,
    `CapEff:\t${caps}`,
    `CapBnd:\t${CAP_FULL_SET}`,
    `CapAmb:\t${CAP_EMPTY_SET}`,
    'NoNewPrivs:\t0',
    'Seccomp:\t0',
    'Seccomp_filters:\t0',
    'Cpus_allowed:\t1',
    'Cpus_allowed_list:\t0',
    'Mems_allowed:\t00000001',
    'Mems_allowed_list:\t0',
    `voluntary_ctxt_switches:\t${task.nvcsw}`,
    'nonvoluntary_ctxt_switches:\t0',
  ];
  return `${lines.join('\n')}\n`;
}
