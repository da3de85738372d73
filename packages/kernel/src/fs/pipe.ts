/**
 * Pipes and FIFOs (fs/pipe.c).
 *
 * A pipe holds up to 64 KiB (16 pages, the default pipe size). Reads sleep while it is
 * empty and a writer exists, and return 0 (end of file) once no writer is left. Writes of
 * up to PIPE_BUF (4096) bytes are atomic: they wait until the whole write fits. A write
 * with no reader left raises SIGPIPE and fails with -EPIPE. With O_NONBLOCK a read or
 * write that would sleep returns -EAGAIN instead; a sleep a signal interrupts returns
 * -ERESTARTSYS (user space sees EINTR). poll reports EPOLLIN when there is data,
 * EPOLLOUT when there is room, EPOLLHUP to readers once the writers are gone and
 * EPOLLERR to writers once the readers are gone.
 *
 * A FIFO (a S_IFIFO inode made with mknod) gets its pipe at the first open; opening only
 * one end blocks until the other end is opened, unless O_NONBLOCK (then a reader opens at
 * once, and a writer without reader fails with -ENXIO).
 *
 * @module
 */

import { EAGAIN, EFAULT, EINVAL, ENOIOCTLCMD, ENXIO, EPIPE, ERESTARTSYS } from '../errno.js';
import {
  DECLARE_WAIT_QUEUE_HEAD,
  wait_event_interruptible,
  type wait_queue_head,
  wake_up_interruptible_all,
} from '../locking/wait.js';
import { SIGPIPE, send_sig } from '../sched/signal.js';
import { current } from '../sched/task.js';
import { O_ACCMODE, O_CLOEXEC, O_DIRECT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from './fcntl.js';
import { fd_install, get_unused_fd_flags, put_unused_fd } from './fdtable.js';
import { alloc_file_pseudo, pseudo_mount } from './file_pseudo.js';
import {
  FMODE_READ,
  FMODE_WRITE,
  type file,
  type file_operations,
  IOCB_NOWAIT,
  type inode,
  type iov_iter,
  type kiocb,
  type poll_table,
  type vfsmount,
} from './fs.js';
import { new_inode } from './inode.js';
import { FIONREAD, put_user_int } from './ioctl.js';
import { copy_from_iter, copy_to_iter } from './iov_iter.js';
import { stream_open } from './libfs.js';
import {
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDNORM,
  EPOLLWRNORM,
  poll_wait,
} from './select.js';
import { S_IFIFO, S_IRUSR, S_IWUSR } from './stat_mode.js';

/** Bytes a write must not be split below (`PIPE_BUF`). */
export const PIPE_BUF = 4096;
/** Default capacity of a pipe: 16 pages. */
export const PIPE_DEF_SIZE = 16 * 4096;
export const PIPEFS_MAGIC = 0x50495045;

/** `struct pipe_inode_info`. */
export class pipe_inode_info {
  /** Buffered bytes, oldest first. */
  data = new Uint8Array(PIPE_DEF_SIZE);
  head = 0;
  len = 0;
  readonly max_usage = PIPE_DEF_SIZE;
  readers = 0;
  writers = 0;
  /** Opens so far of each end, for FIFO opens waiting for a partner. */
  r_counter = 0;
  w_counter = 0;
  readonly rd_wait: wait_queue_head = DECLARE_WAIT_QUEUE_HEAD();
  readonly wr_wait: wait_queue_head = DECLARE_WAIT_QUEUE_HEAD();

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++)
      this.data[(this.head + this.len + i) % this.max_usage] = bytes[i]!;
    this.len += bytes.length;
  }

  peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.data[(this.head + i) % this.max_usage]!;
    return out;
  }

  consume(n: number): void {
    this.head = (this.head + n) % this.max_usage;
    this.len -= n;
    if (this.len === 0) this.head = 0;
  }
}

function pipe_of(filp: file): pipe_inode_info {
  return filp.private_data as pipe_inode_info;
}

function nonblocking(iocb: kiocb): boolean {
  return (iocb.ki_filp.f_flags & O_NONBLOCK) !== 0 || (iocb.ki_flags & IOCB_NOWAIT) !== 0;
}

async function pipe_read(iocb: kiocb, to: iov_iter): Promise<number> {
  const pipe = pipe_of(iocb.ki_filp);
  if (to.count === 0) return 0;
  for (;;) {
    if (pipe.len > 0) {
      const bytes = pipe.peek(Math.min(pipe.len, to.count));
      const copied = copy_to_iter(bytes, to);
      if (copied === 0) return -EFAULT;
      pipe.consume(copied);
      wake_up_interruptible_all(pipe.wr_wait);
      return copied;
    }
    if (pipe.writers === 0) return 0;
    if (nonblocking(iocb)) return -EAGAIN;
    const err = await wait_event_interruptible(
      pipe.rd_wait,
      () => pipe.len > 0 || pipe.writers === 0,
    );
    if (err < 0) return -ERESTARTSYS;
  }
}

async function pipe_write(iocb: kiocb, from: iov_iter): Promise<number> {
  const pipe = pipe_of(iocb.ki_filp);
  const total = from.count;
  if (total === 0) return 0;
  let written = 0;
  for (;;) {
    if (pipe.readers === 0) {
      send_sig(SIGPIPE, current(), 0);
      return written > 0 ? written : -EPIPE;
    }
    const room = pipe.max_usage - pipe.len;
    const left = total - written;
    // Writes of up to PIPE_BUF bytes go in one piece or not at all.
    const fits = left <= PIPE_BUF ? room >= left : room > 0;
    if (fits) {
      const bytes = copy_from_iter(Math.min(room, left), from);
      if (bytes.length === 0) return written > 0 ? written : -EFAULT;
      pipe.push(bytes);
      written += bytes.length;
      wake_up_interruptible_all(pipe.rd_wait);
      if (written === total || bytes.length < Math.min(room, left)) return written;
      continue;
    }
    if (nonblocking(iocb)) return written > 0 ? written : -EAGAIN;
    const err = await wait_event_interruptible(pipe.wr_wait, () => {
      const r = pipe.max_usage - pipe.len;
      return pipe.readers === 0 || (total - written <= PIPE_BUF ? r >= total - written : r > 0);
    });
    if (err < 0) return written > 0 ? written : -ERESTARTSYS;
  }
}

/**
 * The writer count a FIFO reader saw at open (the kernel keeps it in `f_pipe`): a reader
 * that opened before any writer does not see EPOLLHUP until a writer has come and gone.
 */
const w_counter_at_open = new WeakMap<file, number>();

function pipe_poll(filp: file, wait: poll_table | null): number {
  const pipe = pipe_of(filp);
  poll_wait(filp, pipe.rd_wait, wait);
  poll_wait(filp, pipe.wr_wait, wait);
  let mask = 0;
  if (filp.f_mode & FMODE_READ) {
    if (pipe.len > 0) mask |= EPOLLIN | EPOLLRDNORM;
    if (pipe.writers === 0 && w_counter_at_open.get(filp) !== pipe.w_counter) mask |= EPOLLHUP;
  }
  if (filp.f_mode & FMODE_WRITE) {
    if (pipe.len < pipe.max_usage) mask |= EPOLLOUT | EPOLLWRNORM;
    if (pipe.readers === 0) mask |= EPOLLERR;
  }
  return mask;
}

function pipe_release(node: inode, filp: file): number {
  const pipe = pipe_of(filp);
  if (filp.f_mode & FMODE_READ) pipe.readers -= 1;
  if (filp.f_mode & FMODE_WRITE) pipe.writers -= 1;
  wake_up_interruptible_all(pipe.rd_wait);
  wake_up_interruptible_all(pipe.wr_wait);
  if (pipe.readers === 0 && pipe.writers === 0 && node.i_pipe === pipe) node.i_pipe = undefined;
  return 0;
}

function pipe_ioctl(filp: file, cmd: number, arg: number): number {
  if (cmd !== FIONREAD) return -ENOIOCTLCMD;
  return put_user_int(pipe_of(filp).len, arg);
}

/** The operations of both ends of a pipe and of an open FIFO (`pipefifo_fops`). */
export const pipefifo_fops: file_operations = {
  read_iter: pipe_read,
  write_iter: pipe_write,
  poll: pipe_poll,
  unlocked_ioctl: pipe_ioctl,
  release: pipe_release,
};

let pipe_mnt: vfsmount | undefined;

/** Forgets pipefs (part of vfs_init). */
export function pipefs_reset(): void {
  pipe_mnt = undefined;
}

/**
 * The two ends of a new pipe (`create_pipe_files`): `[read end, write end]`. `flags` may
 * hold O_NONBLOCK and O_DIRECT.
 */
export function create_pipe_files(flags: number): [file, file] {
  pipe_mnt ??= pseudo_mount('pipefs', PIPEFS_MAGIC);
  const node = new_inode(pipe_mnt.mnt_sb);
  node.i_mode = S_IFIFO | S_IRUSR | S_IWUSR;
  const pipe = new pipe_inode_info();
  pipe.readers = 1;
  pipe.writers = 1;
  pipe.r_counter = 1;
  pipe.w_counter = 1;
  node.i_pipe = pipe;
  const name = `pipe:[${node.i_ino}]`;
  const rd = alloc_file_pseudo(
    node,
    pipe_mnt,
    name,
    O_RDONLY | (flags & O_NONBLOCK),
    pipefifo_fops,
  );
  const wr = alloc_file_pseudo(
    node,
    pipe_mnt,
    name,
    O_WRONLY | (flags & O_NONBLOCK),
    pipefifo_fops,
  );
  for (const f of [rd, wr]) {
    f.private_data = pipe;
    stream_open(node, f);
  }
  return [rd, wr];
}

/**
 * pipe2(2) in kernel terms (`do_pipe2`): installs both ends at the two lowest free
 * descriptors; returns `[rfd, wfd]`, -EINVAL for unknown flags, -EMFILE.
 */
export function do_pipe2(flags: number): [number, number] | number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const rfd = get_unused_fd_flags(flags);
  if (rfd < 0) return rfd;
  const wfd = get_unused_fd_flags(flags);
  if (wfd < 0) {
    put_unused_fd(rfd);
    return wfd;
  }
  const [rd, wr] = create_pipe_files(flags);
  fd_install(rfd, rd);
  fd_install(wfd, wr);
  return [rfd, wfd];
}

/** Open of a FIFO inode (`fifo_open`): connects to (or creates) the inode's pipe. */
export async function fifo_open(node: inode, filp: file): Promise<number> {
  let pipe = node.i_pipe as pipe_inode_info | undefined;
  if (pipe === undefined) {
    pipe = new pipe_inode_info();
    node.i_pipe = pipe;
  }
  const p = pipe;
  filp.private_data = p;
  filp.f_op = pipefifo_fops;
  stream_open(node, filp);
  const nonblock = (filp.f_flags & O_NONBLOCK) !== 0;
  const drop = (): number => {
    if (p.readers === 0 && p.writers === 0) node.i_pipe = undefined;
    return 0;
  };
  switch (filp.f_flags & O_ACCMODE) {
    case O_RDONLY: {
      p.r_counter += 1;
      p.readers += 1;
      w_counter_at_open.set(filp, p.w_counter);
      wake_up_interruptible_all(p.wr_wait);
      if (p.writers === 0 && !nonblock) {
        const seen = p.w_counter;
        const err = await wait_event_interruptible(p.rd_wait, () => p.w_counter !== seen);
        if (err < 0) {
          p.readers -= 1;
          drop();
          return -ERESTARTSYS;
        }
      }
      return 0;
    }
    case O_WRONLY: {
      if (nonblock && p.readers === 0) {
        drop();
        return -ENXIO;
      }
      p.w_counter += 1;
      p.writers += 1;
      wake_up_interruptible_all(p.rd_wait);
      if (p.readers === 0) {
        const seen = p.r_counter;
        const err = await wait_event_interruptible(p.wr_wait, () => p.r_counter !== seen);
        if (err < 0) {
          p.writers -= 1;
          drop();
          return -ERESTARTSYS;
        }
      }
      return 0;
    }
    case O_RDWR:
      p.readers += 1;
      p.writers += 1;
      p.r_counter += 1;
      p.w_counter += 1;
      wake_up_interruptible_all(p.rd_wait);
      wake_up_interruptible_all(p.wr_wait);
      return 0;
    default:
      drop();
      return -EINVAL;
  }
}
