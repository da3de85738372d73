import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EACCES,
  EBADF,
  EBUSY,
  EEXIST,
  EINVAL,
  EISDIR,
  ELOOP,
  EMFILE,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  ENXIO,
  EPERM,
  ESPIPE,
} from '../errno.js';
import { memcpy_from_js, memcpy_to_js } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { dmesg } from '../printk.js';
import { sim_run_pending, sim_spawn } from '../sched/core.js';
import { current } from '../sched/task.js';
import { sim_set_cred } from './cred.js';
import {
  AT_FDCWD,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SEEK_CUR,
  SEEK_DATA,
  SEEK_END,
  SEEK_HOLE,
  SEEK_SET,
} from './fcntl.js';
import { task_files } from './fdtable.js';
import { fops_get, fput, replace_fops, set_fops_owner_ops } from './file_table.js';
import {
  FMODE_CAN_READ,
  FMODE_CAN_WRITE,
  FMODE_LSEEK,
  FMODE_READ,
  FMODE_WRITE,
  type file,
  type file_operations,
} from './fs.js';
import { vfs_init } from './init.js';
import { init_special_inode, set_chrdev_open } from './inode.js';
import { MKDEV } from './kdev_t.js';
import {
  do_mkdirat,
  do_mknodat,
  do_readlinkat,
  do_rmdir,
  do_symlinkat,
  do_unlinkat,
} from './namei_create.js';
import { do_mount, do_umount, mount_table } from './namespace.js';
import { close_fd, do_filp_open, do_sys_open, filp_open } from './open.js';
import { kernel_read, kernel_write, ksys_lseek, vfs_llseek } from './read_write.js';
import { vfs_getattr } from './stat.js';
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFREG } from './stat_mode.js';

beforeAll(() => {
  mm_init({ quiet: true });
});

beforeEach(() => {
  vfs_init();
});

async function open_ok(name: string, flags: number, mode = 0o644): Promise<file> {
  const f = await filp_open(name, flags, mode);
  if (typeof f === 'number') throw new Error(`open ${name}: ${f}`);
  return f;
}

async function write_str(f: file, s: string, pos = { value: f.f_pos }): Promise<number> {
  const bytes = new TextEncoder().encode(s);
  const buf = kmalloc(Math.max(1, bytes.length), GFP_KERNEL);
  memcpy_from_js(buf, bytes);
  const n = await kernel_write(f, buf, bytes.length, pos);
  f.f_pos = pos.value;
  kfree(buf);
  return n;
}

async function read_str(
  f: file,
  count: number,
  pos = { value: f.f_pos },
): Promise<string | number> {
  const buf = kmalloc(Math.max(1, count), GFP_KERNEL);
  const n = await kernel_read(f, buf, count, pos);
  f.f_pos = pos.value;
  const out = n < 0 ? n : new TextDecoder().decode(memcpy_to_js(buf, n));
  kfree(buf);
  return out;
}

describe('open', () => {
  it('creates, writes, reads back and seeks a tmpfs file', async () => {
    const f = await open_ok('/tmp/fox', O_CREAT | O_RDWR);
    expect(
      f.f_mode & (FMODE_READ | FMODE_WRITE | FMODE_CAN_READ | FMODE_CAN_WRITE | FMODE_LSEEK),
    ).toBe(FMODE_READ | FMODE_WRITE | FMODE_CAN_READ | FMODE_CAN_WRITE | FMODE_LSEEK);
    expect(await write_str(f, 'quick brown fox')).toBe(15);
    expect(vfs_llseek(f, 6, SEEK_SET)).toBe(6);
    expect(await read_str(f, 5)).toBe('brown');
    expect(vfs_llseek(f, -3, SEEK_END)).toBe(12);
    expect(vfs_llseek(f, 1, SEEK_CUR)).toBe(13);
    expect(vfs_llseek(f, -100, SEEK_CUR)).toBe(-EINVAL);
    expect(vfs_llseek(f, 15, SEEK_DATA)).toBe(-ENXIO);
    expect(vfs_llseek(f, 2, SEEK_HOLE)).toBe(15);
    expect(await read_str(f, 10, { value: 100 })).toBe('');
    expect(vfs_getattr(f.f_path).size).toBe(15);
    fput(f);
  });

  it('gives the errors of the kernel for bad names and modes', async () => {
    expect(await filp_open('/tmp/none', O_RDONLY, 0)).toBe(-ENOENT);
    expect(await filp_open('', O_RDONLY, 0)).toBe(-ENOENT);
    expect(await filp_open('/tmp/none/x', O_CREAT | O_RDWR, 0o644)).toBe(-ENOENT);
    fput(await open_ok('/tmp/f', O_CREAT | O_WRONLY));
    expect(await filp_open('/tmp/f', O_CREAT | O_EXCL | O_WRONLY, 0o644)).toBe(-EEXIST);
    expect(await filp_open('/tmp/f/x', O_RDONLY, 0)).toBe(-ENOTDIR);
    expect(await filp_open('/tmp/f/', O_RDONLY, 0)).toBe(-ENOTDIR);
    expect(await filp_open('/tmp/f', O_RDONLY | O_DIRECTORY, 0)).toBe(-ENOTDIR);
    expect(await filp_open('/tmp', O_WRONLY, 0)).toBe(-EISDIR);
    expect(await filp_open('/tmp', O_CREAT | O_RDWR, 0o644)).toBe(-EISDIR);
    expect(await filp_open('/tmp/', O_CREAT | O_RDWR, 0o644)).toBe(-EISDIR);
    expect(await filp_open(`/tmp/${'x'.repeat(256)}`, O_RDONLY, 0)).toBe(-ENAMETOOLONG);
    const d = await open_ok('/tmp', O_RDONLY | O_DIRECTORY);
    // kernel_read() goes through read_iter only, which a directory does not have.
    expect(await read_str(d, 10)).toBe(-EINVAL);
    expect(dmesg()).toContain('kernel read not supported for file / (pid: 1 comm: swapper/0)');
    fput(d);
  });

  it('truncates with O_TRUNC and appends with O_APPEND', async () => {
    const f = await open_ok('/tmp/log', O_CREAT | O_WRONLY);
    await write_str(f, 'one\n');
    fput(f);
    const a = await open_ok('/tmp/log', O_WRONLY | O_APPEND);
    await write_str(a, 'two\n', { value: 0 });
    fput(a);
    const r = await open_ok('/tmp/log', O_RDONLY);
    expect(await read_str(r, 100)).toBe('one\ntwo\n');
    fput(r);
    fput(await open_ok('/tmp/log', O_WRONLY | O_TRUNC));
    const r2 = await open_ok('/tmp/log', O_RDONLY);
    expect(await read_str(r2, 100)).toBe('');
    fput(r2);
  });

  it('refuses reads of a write-only file and writes of a read-only one', async () => {
    const w = await open_ok('/tmp/x', O_CREAT | O_WRONLY);
    expect(await read_str(w, 1)).toBe(-EBADF);
    const r = await open_ok('/tmp/x', O_RDONLY);
    expect(await write_str(r, 'a')).toBe(-EBADF);
    fput(w);
    fput(r);
  });

  it('checks the mode bits for a task that is not root', async () => {
    fput(await open_ok('/tmp/secret', O_CREAT | O_WRONLY, 0o600));
    fput(await open_ok('/tmp/public', O_CREAT | O_WRONLY, 0o644));
    const results: number[] = [];
    const t = sim_spawn('user', async () => {
      sim_set_cred(current(), 1000);
      for (const [name, flags] of [
        ['/tmp/secret', O_RDONLY],
        ['/tmp/public', O_RDONLY],
        ['/tmp/public', O_WRONLY],
        ['/tmp/public', O_RDONLY | O_TRUNC],
      ] as const) {
        const f = await filp_open(name, flags, 0);
        results.push(typeof f === 'number' ? f : 0);
        if (typeof f !== 'number') fput(f);
      }
      results.push(do_mkdirat(AT_FDCWD, '/dev/mine', 0o755));
      results.push(do_mknodat(AT_FDCWD, '/tmp/null', S_IFCHR | 0o666, MKDEV(1, 3)));
      return 0;
    });
    await sim_run_pending();
    await t.exited;
    expect(results).toEqual([-EACCES, 0, -EACCES, -EACCES, -EACCES, -EPERM]);
  });

  it('follows symlinks, and stops at 40 of them', async () => {
    fput(await open_ok('/tmp/target', O_CREAT | O_WRONLY));
    expect(do_symlinkat('/tmp/target', AT_FDCWD, '/tmp/link')).toBe(0);
    expect(do_symlinkat('link', AT_FDCWD, '/tmp/rel')).toBe(0);
    expect(do_readlinkat(AT_FDCWD, '/tmp/rel')).toBe('link');
    expect(do_readlinkat(AT_FDCWD, '/tmp/target')).toBe(-EINVAL);
    const f = await open_ok('/tmp/rel', O_RDONLY);
    expect(f.f_path.dentry.d_name).toBe('target');
    fput(f);
    expect(await filp_open('/tmp/link', O_RDONLY | O_NOFOLLOW, 0)).toBe(-ELOOP);
    expect(do_symlinkat('/tmp/loop', AT_FDCWD, '/tmp/loop')).toBe(0);
    expect(await filp_open('/tmp/loop', O_RDONLY, 0)).toBe(-ELOOP);
    expect(do_symlinkat('', AT_FDCWD, '/tmp/empty')).toBe(-ENOENT);
  });
});

describe('directories and nodes', () => {
  it('makes and removes directories with the kernel errors', () => {
    expect(do_mkdirat(AT_FDCWD, '/tmp/a', 0o755)).toBe(0);
    expect(do_mkdirat(AT_FDCWD, '/tmp/a', 0o755)).toBe(-EEXIST);
    expect(do_mkdirat(AT_FDCWD, '/tmp/a/b/', 0o755)).toBe(0);
    expect(do_mkdirat(AT_FDCWD, '/', 0o755)).toBe(-EEXIST);
    expect(do_mkdirat(AT_FDCWD, '/tmp/nope/b', 0o755)).toBe(-ENOENT);
    expect(do_rmdir(AT_FDCWD, '/tmp/a')).toBe(-ENOTEMPTY);
    expect(do_rmdir(AT_FDCWD, '/tmp/a/b/.')).toBe(-EINVAL);
    expect(do_rmdir(AT_FDCWD, '/tmp/a/b/..')).toBe(-ENOTEMPTY);
    expect(do_rmdir(AT_FDCWD, '/tmp')).toBe(-EBUSY);
    expect(do_unlinkat(AT_FDCWD, '/tmp/a')).toBe(-EISDIR);
    expect(do_rmdir(AT_FDCWD, '/tmp/a/b')).toBe(0);
    expect(do_rmdir(AT_FDCWD, '/tmp/a')).toBe(0);
    expect(do_rmdir(AT_FDCWD, '/tmp/a')).toBe(-ENOENT);
  });

  it('makes device and FIFO nodes, and unlinks files', async () => {
    expect(do_mknodat(AT_FDCWD, '/dev/null', S_IFCHR | 0o666, MKDEV(1, 3))).toBe(0);
    expect(do_mknodat(AT_FDCWD, '/tmp/fifo', S_IFIFO | 0o644, 0)).toBe(0);
    expect(do_mknodat(AT_FDCWD, '/tmp/plain', 0o644, 0)).toBe(0);
    expect(do_mknodat(AT_FDCWD, '/tmp/dir', S_IFDIR | 0o755, 0)).toBe(-EPERM);
    expect(do_mknodat(AT_FDCWD, '/tmp/bad', 0o070000 | 0o644, 0)).toBe(-EINVAL);
    expect(do_mknodat(AT_FDCWD, '/dev/null', S_IFCHR | 0o666, MKDEV(1, 3))).toBe(-EEXIST);
    const st = await filp_open('/tmp/plain', O_RDONLY, 0);
    expect(typeof st === 'number' ? st : st.f_inode.i_mode).toBe(S_IFREG | 0o644);
    expect(do_unlinkat(AT_FDCWD, '/tmp/plain/')).toBe(-ENOTDIR);
    expect(do_unlinkat(AT_FDCWD, '/tmp/plain')).toBe(0);
    expect(do_unlinkat(AT_FDCWD, '/tmp/plain')).toBe(-ENOENT);
    // No char-device layer registered: the open of the node is -ENXIO.
    set_chrdev_open(undefined);
    expect(await filp_open('/dev/null', O_RDWR, 0)).toBe(-ENXIO);
  });

  it('dispatches a character-device open through the registered hook', async () => {
    const seen: number[] = [];
    const fops: file_operations = { read: () => 0 };
    set_chrdev_open((node, filp) => {
      seen.push(node.i_rdev);
      filp.f_op = fops;
      return 0;
    });
    do_mknodat(AT_FDCWD, '/dev/foxes', S_IFCHR | 0o600, MKDEV(10, 42));
    const f = await open_ok('/dev/foxes', O_RDONLY);
    expect(seen).toEqual([MKDEV(10, 42)]);
    expect(f.f_op).toBe(fops);
    expect(f.f_mode & FMODE_CAN_READ).toBe(FMODE_CAN_READ);
    // No llseek: not seekable, so -ESPIPE (what no_llseek returned before 6.12).
    expect(f.f_mode & FMODE_LSEEK).toBe(0);
    expect(vfs_llseek(f, 0, SEEK_SET)).toBe(-ESPIPE);
    fput(f);
    set_chrdev_open(undefined);
  });

  it('shows a special inode the right operations', () => {
    const root = mount_table();
    expect(root[0]?.dir).toBe('/');
    expect(init_special_inode).toBeTypeOf('function');
  });
});

describe('mounts', () => {
  it('mounts and unmounts a tmpfs', async () => {
    expect(do_mkdirat(AT_FDCWD, '/tmp/mnt', 0o755)).toBe(0);
    fput(await open_ok('/tmp/mnt/under', O_CREAT | O_WRONLY));
    expect(do_mount('tmpfs', '/tmp/mnt', 'tmpfs', 0, null)).toBe(0);
    expect(await filp_open('/tmp/mnt/under', O_RDONLY, 0)).toBe(-ENOENT);
    fput(await open_ok('/tmp/mnt/over', O_CREAT | O_WRONLY));
    const up = await open_ok('/tmp/mnt/../mnt/over', O_RDONLY);
    fput(up);
    expect(do_rmdir(AT_FDCWD, '/tmp/mnt')).toBe(-EBUSY);
    expect(do_umount('/tmp/mnt')).toBe(0);
    expect(do_umount('/tmp/mnt')).toBe(-EINVAL);
    fput(await open_ok('/tmp/mnt/under', O_RDONLY));
    expect(do_mount('tmpfs', '/tmp/none', 'tmpfs', 0, null)).toBe(-ENOENT);
  });
});

describe('descriptors', () => {
  it('hands out the lowest free descriptor and closes', async () => {
    const t = sim_spawn('fds', async () => {
      const a = await do_sys_open(AT_FDCWD, '/tmp/a', O_CREAT | O_RDWR, 0o644);
      const b = await do_sys_open(AT_FDCWD, '/tmp/a', O_RDONLY, 0);
      const c1 = await close_fd(a);
      const c = await do_sys_open(AT_FDCWD, '/tmp/a', O_RDONLY, 0);
      const bad = await close_fd(77);
      const seek = ksys_lseek(b, 0, 9);
      return a === 0 && b === 1 && c1 === 0 && c === 0 && bad === -EBADF && seek === -EINVAL
        ? 0
        : 1;
    });
    await sim_run_pending();
    expect(await t.exited).toBe(0);
  });

  it('fails with EMFILE after 1024 descriptors', async () => {
    const t = sim_spawn('many', async () => {
      for (let i = 0; i < 1024; i++) {
        const fd = await do_sys_open(AT_FDCWD, '/tmp', O_RDONLY, 0);
        if (fd !== i) return 1;
      }
      return (await do_sys_open(AT_FDCWD, '/tmp', O_RDONLY, 0)) === -EMFILE ? 0 : 2;
    });
    await sim_run_pending();
    expect(await t.exited).toBe(0);
  });

  it('closes the descriptors of a task that exits, releasing its files', async () => {
    let released = 0;
    set_chrdev_open((_node, filp) => {
      filp.f_op = { release: () => ++released };
      return 0;
    });
    do_mknodat(AT_FDCWD, '/dev/c', S_IFCHR | 0o600, MKDEV(240, 0));
    const t = sim_spawn('leaky', async () => {
      await do_sys_open(AT_FDCWD, '/dev/c', O_RDONLY, 0);
      await do_sys_open(AT_FDCWD, '/dev/c', O_RDONLY, 0);
      return task_files().fd.length;
    });
    await sim_run_pending();
    expect(await t.exited).toBe(2);
    expect(released).toBe(2);
    expect(t.files).toBeUndefined();
    set_chrdev_open(undefined);
  });

  it('fails an open whose driver open fails, without a release', async () => {
    let released = 0;
    set_chrdev_open((_node, filp) => {
      filp.f_op = { open: () => -EBUSY, release: () => ++released };
      return filp.f_op.open!(_node, filp);
    });
    do_mknodat(AT_FDCWD, '/dev/busy', S_IFCHR | 0o600, MKDEV(240, 1));
    expect(await do_filp_open(AT_FDCWD, '/dev/busy', O_RDONLY, 0)).toBe(-EBUSY);
    expect(released).toBe(0);
    set_chrdev_open(undefined);
  });
});

describe('module owners', () => {
  it('pins the owner of the operations while a file is open', async () => {
    const refs = new Map<unknown, number>();
    const going = new Set<unknown>();
    set_fops_owner_ops({
      get: (owner) => {
        if (going.has(owner)) return false;
        refs.set(owner, (refs.get(owner) ?? 0) + 1);
        return true;
      },
      put: (owner) => refs.set(owner, (refs.get(owner) ?? 0) - 1),
    });
    const foxes = { name: 'foxes' };
    const fops: file_operations = { owner: foxes, read: () => 0 };
    set_chrdev_open((_node, filp) => {
      const pinned = fops_get(fops);
      if (pinned === null) return -ENXIO;
      replace_fops(filp, pinned);
      return 0;
    });
    do_mknodat(AT_FDCWD, '/dev/foxes', S_IFCHR | 0o600, MKDEV(10, 1));
    const a = await open_ok('/dev/foxes', O_RDONLY);
    const b = await open_ok('/dev/foxes', O_RDONLY);
    expect(refs.get(foxes)).toBe(2);
    fput(a);
    expect(refs.get(foxes)).toBe(1);
    going.add(foxes);
    expect(await filp_open('/dev/foxes', O_RDONLY, 0)).toBe(-ENXIO);
    fput(b);
    expect(refs.get(foxes)).toBe(0);
    set_fops_owner_ops(undefined);
    set_chrdev_open(undefined);
  });
});
