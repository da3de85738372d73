/**
 * procfs (fs/proc/): `/proc` shows processes — a directory per live task,
 * `/proc/<pid>/status`, `comm` and `fail-nth`, and `/proc/self`, a link to
 * the directory of whoever looks — plus `/proc/meminfo` and
 * `/proc/devices`. Nothing else: drivers publish their state in sysfs or
 * debugfs, and there is no `proc_create` here, as the kernel's maintainers
 * insist for new code.
 *
 * The tree is computed: the pid directories are brought up to date with the
 * task list on every lookup and listing.
 *
 * @example
 * ```ts
 * import { current, proc_read } from '@rfl/kernel';
 * (proc_read('/proc/self/status') as string).split('\n').slice(0, 1) // => ['Name:\tswapper/0']
 * proc_read(`/proc/${current().pid}/comm`) // => 'swapper/0\n'
 * ```
 *
 * @module
 */

import { EINVAL, EISDIR } from '../../errno.js';
import { get_fail_nth, set_fail_nth } from '../../mm/fault-inject.js';
import { meminfo } from '../../mm/meminfo.js';
import { current, for_each_process, TASK_COMM_LEN, type task_struct } from '../../sched/task.js';
import { chrdev_show } from '../char_dev.js';
import type { file_system_type } from '../fs.js';
import { mount_nodev } from '../super.js';
import {
  kernfs_create_dir,
  kernfs_create_dynamic_link,
  kernfs_create_file,
  kernfs_create_root,
  kernfs_file_show,
  kernfs_file_write,
  type kernfs_node,
  kernfs_open_check,
  kernfs_remove,
  kernfs_walk,
} from '../sysfs/kernfs.js';
import { kernfs_fill_super } from '../sysfs/kernfs_vfs.js';
import { proc_pid_status } from './array.js';

export const PROC_SUPER_MAGIC = 0x9fa0;

function task_of(kn: kernfs_node): task_struct {
  return kn.parent!.priv as task_struct;
}

function proc_pid_dir(root: kernfs_node, task: task_struct): void {
  const dir = kernfs_create_dir(root, String(task.pid), 0o555, task);
  if (typeof dir === 'number') return;
  kernfs_create_file(
    dir,
    'status',
    0o444,
    0,
    { seq_show: (kn) => proc_pid_status(task_of(kn)) },
    null,
  );
  kernfs_create_file(
    dir,
    'comm',
    0o644,
    0,
    {
      seq_show: (kn) => `${task_of(kn).comm}\n`,
      write: (kn, buf) => {
        task_of(kn).comm = buf.replace(/\n$/, '').slice(0, TASK_COMM_LEN - 1);
        return buf.length;
      },
    },
    null,
  );
  kernfs_create_file(
    dir,
    'fail-nth',
    0o644,
    0,
    {
      seq_show: (kn) => `${get_fail_nth(task_of(kn))}\n`,
      write: (kn, buf) => {
        const t = buf.trim();
        if (!/^\d+$/.test(t)) return -EINVAL;
        set_fail_nth(Number(t), task_of(kn));
        return buf.length;
      },
    },
    null,
  );
}

/** Brings the pid directories up to date with the live tasks (pid 0 is not shown). */
function proc_root_refresh(root: kernfs_node): void {
  const live = new Map<string, task_struct>();
  for (const t of for_each_process()) if (t.pid > 0) live.set(String(t.pid), t);
  for (const [name, kn] of [...root.children]) {
    if (/^\d+$/.test(name) && live.get(name) !== kn.priv) kernfs_remove(kn);
  }
  for (const [name, t] of live) if (!root.children.has(name)) proc_pid_dir(root, t);
}

function proc_root_create(): kernfs_node {
  const root = kernfs_create_root();
  root.mode = 0o555;
  root.refresh = proc_root_refresh;
  kernfs_create_dynamic_link(root, 'self', () => String(current().pid));
  kernfs_create_file(root, 'meminfo', 0o444, 0, { seq_show: () => meminfo() }, null);
  kernfs_create_file(
    root,
    'devices',
    0o444,
    0,
    { seq_show: () => `${chrdev_show()}\nBlock devices:\n` },
    null,
  );
  return root;
}

const proc_root = proc_root_create();

/** The `proc` filesystem type. */
export const proc_fs_type: file_system_type = {
  name: 'proc',
  mount: (fs_type, flags, _dev_name, data) =>
    mount_nodev(fs_type, flags, data, (sb) =>
      kernfs_fill_super(sb, PROC_SUPER_MAGIC, () => proc_root),
    ),
};

function below_proc(path: string): string {
  if (path === '/proc') return '/';
  return path.startsWith('/proc/') ? path.slice(5) : path;
}

/** `cat <path>` below /proc without the VFS: the text or a negative errno. */
export function proc_read(path: string): string | number {
  const kn = kernfs_walk(proc_root, below_proc(path));
  if (typeof kn === 'number') return kn;
  if (kn.type === 'dir') return -EISDIR;
  const err = kernfs_open_check(kn, true, false);
  if (err) return err;
  return kernfs_file_show(kn);
}

/** `echo -n <buf> > <path>` below /proc without the VFS. */
export function proc_write(path: string, buf: string): number | Promise<number> {
  const kn = kernfs_walk(proc_root, below_proc(path));
  if (typeof kn === 'number') return kn;
  if (kn.type === 'dir') return -EISDIR;
  const err = kernfs_open_check(kn, false, true);
  if (err) return err;
  return kernfs_file_write(kn, buf);
}
