import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EBUSY, EFAULT, EINVAL, ENOSPC, ENOTDIR, ENXIO, ESPIPE } from '../errno.js';
import { memcpy_from_js } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { PROT_READ } from '../mm/mmap.js';
import { sim_user_alloc, sim_user_read, sim_user_write } from '../mm/uaccess-user.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { sim_run_pending, sim_spawn } from '../sched/core.js';
import { libc } from '../user/libc.js';
import {
  AT_FDCWD,
  O_CREAT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
} from './fcntl.js';
import { sim_fork_files } from './fdtable.js';
import { anon_inode_getfd, anon_inode_getfile } from './file_pseudo.js';
import { fput } from './file_table.js';
import { FMODE_LSEEK, FMODE_STREAM, type file, type file_operations } from './fs.js';
import { register_vfs_init_hook, vfs_init } from './init.js';
import {
  _IO,
  _IOC_DIR,
  _IOC_NONE,
  _IOC_NR,
  _IOC_READ,
  _IOC_SIZE,
  _IOC_TYPE,
  _IOC_WRITE,
  _IOR,
  _IOW,
  _IOWR,
} from './ioctl.js';
import {
  default_llseek,
  fixed_size_llseek,
  generic_file_llseek,
  no_seek_end_llseek,
  nonseekable_open,
  noop_llseek,
  simple_open,
  simple_read_from_buffer,
  simple_write_to_buffer,
  stream_open,
} from './libfs.js';
import { do_mkdirat } from './namei_create.js';
import { do_mount, do_umount, mount_table } from './namespace.js';
import { filp_open } from './open.js';
import { kernel_write } from './read_write.js';
import { S_IFIFO } from './stat_mode.js';

beforeAll(() => {
  mm_init({ quiet: true });
});

beforeEach(() => {
  vfs_init();
});

async function run<T>(body: () => Promise<T>): Promise<T> {
  let out: T | undefined;
  const t = sim_spawn('t', async () => {
    out = await body();
    return 0;
  });
  await sim_run_pending();
  expect(await t.exited).toBe(0);
  return out as T;
}

async function anon_file(fops: file_operations, size = 0): Promise<file> {
  const f = anon_inode_getfile('[t]', fops, null, O_RDWR);
  f.f_inode.i_size = size;
  return f;
}

describe('simple_read_from_buffer and simple_write_to_buffer', () => {
  it('copy at the position, stop at the end and report faults', async () => {
    const r = await run(async () => {
      const data = new TextEncoder().encode('0123456789');
      const u = sim_user_alloc(4096);
      const ppos = { value: 8 };
      const a = simple_read_from_buffer(u, 100, ppos, data);
      const b = simple_read_from_buffer(u, 100, ppos, data);
      const c = simple_read_from_buffer(u, 100, { value: -1 }, data);
      const d = simple_read_from_buffer(0x10, 4, { value: 0 }, data);
      const ro = sim_user_alloc(4096, PROT_READ);
      const e = simple_read_from_buffer(ro, 4, { value: 0 }, data);
      const out = new Uint8Array(4);
      sim_user_write(u, new TextEncoder().encode('wxyz'));
      const wpos = { value: 2 };
      const f = simple_write_to_buffer(out, out.length, wpos, u, 4);
      const g = simple_write_to_buffer(out, out.length, { value: 9 }, u, 4);
      const h = simple_write_to_buffer(out, out.length, { value: 0 }, 0x10, 4);
      return [a, ppos.value, b, c, d, e, f, wpos.value, Array.from(out), g, h];
    });
    expect(r).toEqual([2, 10, 0, -EINVAL, -EFAULT, -EFAULT, 2, 4, [0, 0, 0x77, 0x78], 0, -EFAULT]);
  });

  it('copies up to a fault in the middle of the user buffer', async () => {
    const r = await run(async () => {
      const u = sim_user_alloc(8192);
      await libc.munmap(u + 4096, 4096);
      const data = new Uint8Array(100).fill(7);
      const ppos = { value: 0 };
      const n = simple_read_from_buffer(u + 4096 - 10, 100, ppos, data);
      return [n, ppos.value, Array.from(sim_user_read(u + 4086, 10))];
    });
    expect(r).toEqual([10, 10, new Array(10).fill(7)]);
  });
});

describe('llseek helpers', () => {
  it('generic_file_llseek, default_llseek, fixed_size, no_seek_end and noop', async () => {
    const f = await anon_file({}, 100);
    expect(generic_file_llseek(f, 10, SEEK_SET)).toBe(10);
    expect(generic_file_llseek(f, 5, SEEK_CUR)).toBe(15);
    expect(generic_file_llseek(f, -1, SEEK_END)).toBe(99);
    expect(generic_file_llseek(f, -200, SEEK_END)).toBe(-EINVAL);
    expect(generic_file_llseek(f, 0, 7)).toBe(-EINVAL);
    expect(default_llseek(f, 1000, SEEK_SET)).toBe(1000);
    expect(default_llseek(f, 100, 3)).toBe(-ENXIO);
    expect(default_llseek(f, -1, SEEK_SET)).toBe(-EINVAL);
    expect(fixed_size_llseek(f, 10, SEEK_END, 64)).toBe(-EINVAL);
    expect(fixed_size_llseek(f, -4, SEEK_END, 64)).toBe(60);
    expect(fixed_size_llseek(f, 1, 3, 64)).toBe(-EINVAL);
    expect(no_seek_end_llseek(f, 0, SEEK_END)).toBe(-EINVAL);
    expect(no_seek_end_llseek(f, 3, SEEK_SET)).toBe(3);
    f.f_pos = 42;
    expect(noop_llseek(f, 1000, SEEK_SET)).toBe(42);
  });

  it('nonseekable_open and stream_open make lseek -ESPIPE', async () => {
    const r = await run(async () => {
      const a = anon_inode_getfd(
        '[a]',
        { llseek: generic_file_llseek, open: nonseekable_open },
        null,
        O_RDWR,
      );
      const f = (await import('./fdtable.js')).fdget_raw(a)!;
      nonseekable_open(f.f_inode, f);
      const b = anon_inode_getfd('[b]', { llseek: generic_file_llseek }, null, O_RDWR);
      const g = (await import('./fdtable.js')).fdget_raw(b)!;
      stream_open(g.f_inode, g);
      return [
        await libc.lseek(a, 0, SEEK_SET),
        await libc.lseek(b, 0, SEEK_SET),
        f.f_mode & FMODE_LSEEK,
        g.f_mode & FMODE_STREAM,
      ];
    });
    expect(r).toEqual([-ESPIPE, -ESPIPE, 0, FMODE_STREAM]);
  });

  it('simple_open hands i_private to private_data', async () => {
    const f = await anon_file({});
    f.f_inode.i_private = undefined;
    const node = f.f_inode;
    const probe = anon_inode_getfile('[p]', {}, null, O_RDONLY);
    node.i_private = { den: 3 };
    expect(simple_open(node, probe)).toBe(0);
    expect(probe.private_data).toEqual({ den: 3 });
    node.i_private = undefined;
  });
});

describe('ioctl encoding', () => {
  it('packs direction, size, type and number as the uapi macros do', () => {
    expect(_IO('V', 0)).toBe(0x5600);
    expect(_IOR('V', 0, 104)).toBe(0x80685600);
    expect(_IOW('T', 0x31, 4)).toBe(0x40045431);
    expect(_IOWR(0x12, 1, 0x3fff)).toBe(0xffff1201);
    const cmd = _IOWR('d', 0x42, 16);
    expect([_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd)]).toEqual([
      _IOC_READ | _IOC_WRITE,
      0x64,
      0x42,
      16,
    ]);
    expect(_IOC_DIR(_IO('d', 1))).toBe(_IOC_NONE);
    expect(_IOC_DIR(_IOW('d', 1, 4))).toBe(_IOC_WRITE);
  });
});

describe('tmpfs', () => {
  it('refuses a write past half of memory with -ENOSPC', async () => {
    const f = await filp_open('/tmp/big', O_CREAT | O_WRONLY, 0o644);
    if (typeof f === 'number') throw new Error('open');
    const buf = kmalloc(8, GFP_KERNEL);
    memcpy_from_js(buf, new Uint8Array(8).fill(1));
    expect(await kernel_write(f, buf, 8, { value: 32 << 20 })).toBe(-ENOSPC);
    expect(await kernel_write(f, buf, 8, { value: (32 << 20) - 4 })).toBe(4);
    kfree(buf);
    fput(f);
  });

  it('keeps an unlinked file readable while it is open', async () => {
    const r = await run(async () => {
      const fd = await libc.open('/tmp/gone', O_CREAT | O_RDWR);
      await libc.write(fd, 'still here');
      await libc.unlink('/tmp/gone');
      await libc.lseek(fd, 0, SEEK_SET);
      return [
        await libc.open('/tmp/gone', O_RDONLY),
        new TextDecoder().decode((await libc.read(fd, 20)) as Uint8Array),
      ];
    });
    expect(r).toEqual([-2, 'still here']);
  });

  it('reads a directory with read(2) as -EISDIR', async () => {
    const r = await run(async () => libc.read(await libc.open('/tmp', O_RDONLY), 10));
    expect(r).toBe(-21);
  });
});

describe('FIFOs', () => {
  it('blocks the first opener until the other end opens', async () => {
    const log: string[] = [];
    await run(async () => {
      await libc.mknod('/tmp/fifo', S_IFIFO | 0o600);
      const reader = sim_spawn('reader', async () => {
        const fd = await libc.open('/tmp/fifo', O_RDONLY);
        log.push(`reader opened ${fd}`);
        log.push(new TextDecoder().decode((await libc.read(fd, 10)) as Uint8Array));
        return 0;
      });
      await sim_run_pending();
      log.push('writer opening');
      const w = await libc.open('/tmp/fifo', O_WRONLY);
      await libc.write(w, 'through');
      await reader.exited;
      return 0;
    });
    expect(log).toEqual(['writer opening', 'reader opened 0', 'through']);
  });

  it('opens a non-blocking reader at once and fails a non-blocking writer with -ENXIO', async () => {
    const r = await run(async () => {
      await libc.mknod('/tmp/fifo', S_IFIFO | 0o600);
      const w = await libc.open('/tmp/fifo', O_WRONLY | O_NONBLOCK);
      const rd = await libc.open('/tmp/fifo', O_RDONLY | O_NONBLOCK);
      const w2 = await libc.open('/tmp/fifo', O_WRONLY | O_NONBLOCK);
      return [w, rd, w2, await libc.lseek(rd, 0, SEEK_SET)];
    });
    expect(r).toEqual([-ENXIO, 0, 1, -ESPIPE]);
  });
});

describe('vfs_init and mounts', () => {
  it('runs the registered hooks on every boot', () => {
    let runs = 0;
    const hook = (): void => {
      runs += 1;
      do_mkdirat(AT_FDCWD, '/sys/kernel', 0o755);
    };
    register_vfs_init_hook(hook);
    register_vfs_init_hook(hook);
    vfs_init();
    vfs_init();
    expect(runs).toBe(2);
    expect(mount_table().map((m) => m.dir)).toEqual(['/', '/tmp']);
  });

  it('refuses to unmount a mount with a mount below it, and to mount on a file', async () => {
    do_mkdirat(AT_FDCWD, '/tmp/a', 0o755);
    expect(do_mount('tmpfs', '/tmp/a', 'tmpfs', 0, null)).toBe(0);
    do_mkdirat(AT_FDCWD, '/tmp/a/b', 0o755);
    expect(do_mount('tmpfs', '/tmp/a/b', 'tmpfs', 0, null)).toBe(0);
    expect(do_umount('/tmp/a')).toBe(-EBUSY);
    expect(do_umount('/tmp/a/b')).toBe(0);
    expect(do_umount('/tmp/a')).toBe(0);
    const f = await filp_open('/tmp/file', O_CREAT | O_WRONLY, 0o644);
    if (typeof f !== 'number') fput(f);
    expect(do_mount('tmpfs', '/tmp/file', 'tmpfs', 0, null)).toBe(-ENOTDIR);
  });
});

describe('kernel_write', () => {
  it('warns and fails on a file that has only write', async () => {
    dmesg_clear();
    const f = anon_inode_getfile('[w]', { write: (_f, _b, n) => n }, null, O_WRONLY);
    const buf = kmalloc(4, GFP_KERNEL);
    expect(await kernel_write(f, buf, 4, { value: 0 })).toBe(-EINVAL);
    kfree(buf);
    expect(dmesg()).toContain(
      'kernel write not supported for file anon_inode:[w] (pid: 1 comm: swapper/0)',
    );
  });
});

describe('pipes between processes', () => {
  it('gives a forked child the parent descriptors', async () => {
    const r = await run(async () => {
      const [rd, wr] = (await libc.pipe()) as [number, number];
      const child = sim_spawn('child', async () => {
        await libc.close(rd);
        await libc.write(wr, 'from child');
        return 0;
      });
      sim_fork_files(child);
      await libc.close(wr);
      const got = new TextDecoder().decode((await libc.read(rd, 100)) as Uint8Array);
      const eof = ((await libc.read(rd, 100)) as Uint8Array).length;
      return [got, eof];
    });
    expect(r).toEqual(['from child', 0]);
  });
});
