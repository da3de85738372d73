/**
 * poll(2) (fs/select.c, include/uapi/asm-generic/poll.h).
 *
 * A file's `f_op.poll(file, wait)` returns the events that are ready now and, through
 * `poll_wait(file, wq, wait)`, names the wait queues whose wake-ups may change that.
 * `do_sys_poll()` asks every file, and if nothing is ready sleeps until one of those
 * queues is woken, the timeout passes (jiffy resolution, rounded up) or a signal arrives
 * (-EINTR). A file without `poll` is always ready for reading and writing
 * (`DEFAULT_POLLMASK`); a descriptor that is not open reports POLLNVAL.
 *
 * @module
 */

import { EINTR } from '../errno.js';
import {
  add_wait_queue,
  remove_wait_queue,
  type wait_queue_entry,
  type wait_queue_head,
} from '../locking/wait.js';
import { __set_current_state, set_current_state, try_to_wake_up } from '../sched/core.js';
import { signal_pending } from '../sched/signal.js';
import { current, TASK_INTERRUPTIBLE, TASK_RUNNING } from '../sched/task.js';
import { MAX_SCHEDULE_TIMEOUT, msecs_to_jiffies } from '../time/jiffies.js';
import { schedule_timeout } from '../time/timer.js';
import { fdget_raw } from './fdtable.js';
import type { file, poll_table } from './fs.js';

export const POLLIN = 0x0001;
export const POLLPRI = 0x0002;
export const POLLOUT = 0x0004;
export const POLLERR = 0x0008;
export const POLLHUP = 0x0010;
export const POLLNVAL = 0x0020;
export const POLLRDNORM = 0x0040;
export const POLLRDBAND = 0x0080;
export const POLLWRNORM = 0x0100;
export const POLLWRBAND = 0x0200;
export const POLLMSG = 0x0400;
export const POLLRDHUP = 0x2000;
export const EPOLLIN = POLLIN;
export const EPOLLPRI = POLLPRI;
export const EPOLLOUT = POLLOUT;
export const EPOLLERR = POLLERR;
export const EPOLLHUP = POLLHUP;
export const EPOLLNVAL = POLLNVAL;
export const EPOLLRDNORM = POLLRDNORM;
export const EPOLLRDBAND = POLLRDBAND;
export const EPOLLWRNORM = POLLWRNORM;
export const EPOLLWRBAND = POLLWRBAND;
export const EPOLLMSG = POLLMSG;
export const EPOLLRDHUP = POLLRDHUP;

/** What a file without `f_op.poll` reports: readable and writable. */
export const DEFAULT_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;

/** Size of `struct pollfd` { int fd; short events; short revents; }. */
export const POLLFD_SIZE = 8;

/**
 * Registers the caller of `f_op.poll` on `wq`, so a wake_up() of it ends the poll's sleep
 * (`poll_wait`). A null table (a plain readiness query) registers nothing.
 */
export function poll_wait(filp: file, wq: wait_queue_head, p: poll_table | null): void {
  if (p !== null && p._qproc !== null && wq !== undefined) p._qproc(filp, wq, p);
}

/** Asks the file which events are ready (`vfs_poll`). */
export function vfs_poll(filp: file, pt: poll_table | null): number {
  const poll = filp.f_op.poll;
  if (poll === undefined) return DEFAULT_POLLMASK;
  return poll(filp, pt);
}

/** One entry of the array poll(2) takes. */
export interface pollfd {
  fd: number;
  events: number;
  revents: number;
}

/** The wait-queue registrations of one poll(2) call (`struct poll_wqueues`). */
class poll_wqueues implements poll_table {
  _qproc: poll_table['_qproc'];
  _key = 0;
  triggered = false;
  readonly entries = new Map<wait_queue_head, wait_queue_entry>();

  constructor() {
    const task = current();
    this._qproc = (_filp, wq) => {
      const existing = this.entries.get(wq);
      if (existing?.queued) return;
      const entry: wait_queue_entry = existing ?? {
        flags: 0,
        task,
        func: (_e, mode) => {
          this.triggered = true;
          return try_to_wake_up(task, mode);
        },
        queued: false,
      };
      this.entries.set(wq, entry);
      add_wait_queue(wq, entry);
    };
  }

  /** `poll_freewait`. */
  free(): void {
    for (const [wq, entry] of this.entries) remove_wait_queue(wq, entry);
    this.entries.clear();
  }
}

function do_pollfd(pfd: pollfd, pt: poll_wqueues): number {
  if (pfd.fd < 0) return 0;
  const filp = fdget_raw(pfd.fd);
  if (filp === null) return POLLNVAL;
  const filter = (pfd.events & 0xffff) | EPOLLERR | EPOLLHUP;
  pt._key = filter;
  return vfs_poll(filp, pt) & filter;
}

/**
 * Polls the descriptors in `fds` (filling each `revents`) for up to `timeout_ms`
 * milliseconds (negative: forever, 0: just look). Returns how many have events, or
 * -EINTR when a signal interrupted the wait.
 */
export async function do_sys_poll(fds: pollfd[], timeout_ms: number): Promise<number> {
  const table = new poll_wqueues();
  let remaining = timeout_ms < 0 ? MAX_SCHEDULE_TIMEOUT : msecs_to_jiffies(timeout_ms);
  try {
    for (;;) {
      let count = 0;
      for (const pfd of fds) {
        pfd.revents = do_pollfd(pfd, table);
        if (pfd.revents !== 0) count += 1;
      }
      if (count > 0 || remaining === 0) return count;
      if (signal_pending()) return -EINTR;
      set_current_state(TASK_INTERRUPTIBLE);
      if (table.triggered) {
        __set_current_state(TASK_RUNNING);
      } else {
        remaining = await schedule_timeout(remaining);
        __set_current_state(TASK_RUNNING);
      }
      table.triggered = false;
    }
  } finally {
    table.free();
  }
}
