import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EACCES,
  EAGAIN,
  EBADF,
  EBUSY,
  EFAULT,
  EINTR,
  EINVAL,
  EISDIR,
  EMFILE,
  ENAMETOOLONG,
  ENODEV,
  ENOENT,
  ENOIOCTLCMD,
  ENOTDIR,
  ENOTTY,
  EPIPE,
  ESPIPE,
} from '../errno.js';
import { mm_init } from '../mm/init.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../mm/mmap.js';
import {
  sim_user_alloc,
  sim_user_read,
  sim_user_strdup,
  sim_user_write,
} from '../mm/uaccess-user.js';
import { sim_run_pending, sim_spawn } from '../sched/core.js';
import { SIGINT, SIGPIPE, send_sig } from '../sched/signal.js';
import { current } from '../sched/task.js';
import { sim_advance } from '../time/timer.js';
import { libc } from '../user/libc.js';
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  F_DUPFD,
  F_GETFD,
  F_GETFL,
  F_SETFL,
  FD_CLOEXEC,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  SEEK_SET,
} from './fcntl.js';
import { sim_fork_files } from './fdtable.js';
import { anon_inode_getfd } from './file_pseudo.js';
import type { file_operations } from './fs.js';
import { vfs_init } from './init.js';
import { set_chrdev_open } from './inode.js';
import { _IOR, FIOCLEX, FIONBIO, FIONREAD } from './ioctl.js';
import { MKDEV } from './kdev_t.js';
import { DEFAULT_POLLMASK, POLLIN, POLLNVAL, POLLOUT, type pollfd } from './select.js';
import { S_IFCHR, S_IFDIR, S_IFREG } from './stat_mode.js';
import {
  sys_dup2,
  sys_dup3,
  sys_fcntl,
  sys_ioctl,
  sys_open,
  sys_openat,
  sys_pipe2,
  sys_poll,
  sys_read,
  sys_write,
} from './sys_file.js';
import {
  sys_fstat,
  sys_getdents64,
  sys_newfstatat,
  sys_readlink,
  sys_stat,
  sys_umask,
  sys_unlinkat,
} from './sys_path.js';

beforeAll(() => {
  mm_init({ quiet: true });
});

beforeEach(() => {
  vfs_init();
});

afterEach(() => {
  set_chrdev_open(undefined);
});

/** Runs `body` as a user process and returns what it returned. */
async function as_process<T>(body: () => Promise<T>): Promise<T> {
  let out: T | undefined;
  const t = sim_spawn('test', async () => {
    out = await body();
    return 0;
  });
  for (let i = 0; i < 50 && t.exit_state === 0; i++) await sim_advance(10);
  expect(await t.exited).toBe(0);
  return out as T;
}

/** A character device at /dev/test whose open installs `fops`. */
function device(fops: file_operations): Promise<number> {
  set_chrdev_open((_node, filp) => {
    filp.f_op = fops;
    return fops.open?.(_node, filp) ?? 0;
  });
  return libc.mknod('/dev/test', S_IFCHR | 0o666, 0x0a2a);
}

describe('user pointers', () => {
  it('turns every bad pointer into -EFAULT', async () => {
    const r = await as_process(async () => {
      const fd = await libc.open('/tmp/f', O_CREAT | O_RDWR);
      await libc.write(fd, 'data');
      await libc.lseek(fd, 0, SEEK_SET);
      const ro = sim_user_alloc(4096, PROT_READ);
      return [
        await sys_open(0, O_RDONLY, 0),
        await sys_open(-1, O_RDONLY, 0),
        await sys_read(fd, 0x10, 4),
        await sys_read(fd, ro, 4),
        await sys_write(fd, 0x10, 4),
        await sys_stat(sim_user_strdup('/tmp/f'), 0),
        await sys_pipe2(0x20, 0),
        await sys_poll(0x30, 1, 0),
        await sys_getdents64(await libc.open('/', O_RDONLY), 0x40, 4096),
        await sys_readlink(0x50, ro, 10),
        await sys_ioctl(fd, FIONREAD, 0x60),
        await sys_ioctl(fd, FIONBIO, 0x60),
      ];
    });
    expect(r).toEqual(new Array(12).fill(-EFAULT));
  });

  it('reads names up to PATH_MAX and refuses longer or empty ones', async () => {
    const r = await as_process(async () => {
      const long = sim_user_strdup(`/tmp/${'a/'.repeat(2100)}`);
      return [await sys_open(long, O_RDONLY, 0), await sys_open(sim_user_strdup(''), O_RDONLY, 0)];
    });
    expect(r).toEqual([-ENAMETOOLONG, -ENOENT]);
  });

  it('stores struct stat in the x86-64 layout', async () => {
    const bytes = await as_process(async () => {
      await libc.mknod('/dev/zero', S_IFCHR | 0o666, 0x0105);
      const buf = sim_user_alloc(144);
      await sys_stat(sim_user_strdup('/dev/zero'), buf);
      return sim_user_read(buf, 144);
    });
    const v = new DataView(bytes.buffer);
    // mknod applies the umask (022).
    expect(v.getUint32(24, true)).toBe(S_IFCHR | 0o644);
    expect(Number(v.getBigUint64(40, true))).toBe(0x0105);
    expect(Number(v.getBigUint64(16, true))).toBe(1);
    expect(Number(v.getBigUint64(56, true))).toBe(4096);
  });
});

describe('file_operations defaults', () => {
  it('gives each absent operation the kernel default', async () => {
    await device({});
    const r = await as_process(async () => {
      const fd = await libc.open('/dev/test', O_RDWR);
      const p: pollfd[] = [{ fd, events: 0xffff, revents: 0 }];
      return [
        fd,
        await libc.read(fd, 4),
        await libc.write(fd, 'x'),
        await libc.ioctl(fd, _IOR('T', 0x30, 4), 0),
        await libc.lseek(fd, 0, SEEK_SET),
        await libc.mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0),
        await libc.fsync(fd),
        await libc.poll(p, 0),
        p[0]!.revents,
      ];
    });
    expect(r).toEqual([
      0,
      -EINVAL,
      -EINVAL,
      -ENOTTY,
      -ESPIPE,
      -ENODEV,
      -EINVAL,
      1,
      DEFAULT_POLLMASK,
    ]);
  });

  it('passes read and write the user buffer and the position', async () => {
    const seen: string[] = [];
    await device({
      read: (_f, buf, count, ppos) => {
        seen.push(`read ${count}@${ppos.value}`);
        sim_user_write(buf, new TextEncoder().encode('fox'));
        ppos.value += 3;
        return 3;
      },
      write: (_f, _buf, count, ppos) => {
        seen.push(`write ${count}@${ppos.value}`);
        return count;
      },
      llseek: (f, off) => {
        f.f_pos = off;
        return off;
      },
      unlocked_ioctl: (_f, cmd) => (cmd === 1 ? 42 : -ENOIOCTLCMD),
    });
    const r = await as_process(async () => {
      const fd = await libc.open('/dev/test', O_RDWR);
      const a = await libc.read(fd, 10);
      const b = await libc.write(fd, 'abcd');
      const c = await libc.lseek(fd, 100, SEEK_SET);
      const d = await libc.read(fd, 1);
      return [
        new TextDecoder().decode(a as Uint8Array),
        b,
        c,
        (d as Uint8Array).length,
        await libc.ioctl(fd, 1),
        await libc.ioctl(fd, 2),
      ];
    });
    expect(r).toEqual(['fox', 4, 100, 3, 42, -ENOTTY]);
    expect(seen).toEqual(['read 10@0', 'write 4@3', 'read 1@100']);
  });

  it('calls release once, after the last descriptor of a dup()ed file closes', async () => {
    let released = 0;
    await device({ release: () => ++released && 0 });
    const r = await as_process(async () => {
      const fd = await libc.open('/dev/test', O_RDONLY);
      const fd2 = await libc.dup(fd);
      await libc.close(fd);
      const before = released;
      await libc.close(fd2);
      return [fd, fd2, before, released];
    });
    expect(r).toEqual([0, 1, 0, 1]);
  });

  it('waits for a release that sleeps before close returns', async () => {
    const log: string[] = [];
    await device({
      release: async () => {
        await sim_run_pending();
        log.push('released');
        return 0;
      },
    });
    await as_process(async () => {
      await libc.close(await libc.open('/dev/test', O_RDONLY));
      log.push('closed');
    });
    expect(log).toEqual(['released', 'closed']);
  });
});

describe('descriptors', () => {
  it('dup2 replaces the target and dup3 rejects equal descriptors', async () => {
    const r = await as_process(async () => {
      const a = await libc.open('/tmp/a', O_CREAT | O_WRONLY);
      const b = await libc.open('/tmp/b', O_CREAT | O_WRONLY);
      const moved = await libc.dup2(a, b);
      await libc.write(b, 'via b');
      return [
        moved,
        await libc.dup2(a, a),
        await libc.dup2(9, 3),
        await sys_dup2(a, -1),
        await libc.dup2(a, 1024),
      ];
    });
    expect(r).toEqual([1, 0, -EBADF, -EBADF, -EBADF]);
    const sizes = await as_process(async () => [
      ((await libc.stat('/tmp/a')) as { size: number }).size,
      ((await libc.stat('/tmp/b')) as { size: number }).size,
    ]);
    expect(sizes).toEqual([5, 0]);
  });

  it('honours O_CLOEXEC, FIOCLEX, FIONBIO and F_SETFL', async () => {
    const r = await as_process(async () => {
      const fd = await libc.open('/tmp', O_RDONLY | O_CLOEXEC);
      const p = await libc.pipe();
      if (typeof p === 'number') return [p];
      const one = sim_user_alloc(4);
      sim_user_write(one, new Uint8Array([1, 0, 0, 0]));
      return [
        await sys_fcntl(fd, F_GETFD, 0),
        await sys_ioctl(p[0], FIOCLEX, 0),
        await sys_fcntl(p[0], F_GETFD, 0),
        await sys_ioctl(p[0], FIONBIO, one),
        await libc.read(p[0], 1),
        await sys_fcntl(p[1], F_SETFL, O_NONBLOCK),
        (await sys_fcntl(p[1], F_GETFL, 0)) & O_NONBLOCK,
      ];
    });
    expect(r).toEqual([FD_CLOEXEC, 0, FD_CLOEXEC, 0, -EAGAIN, 0, O_NONBLOCK]);
  });

  it('refuses O_DIRECTORY with O_CREAT and a bad directory fd', async () => {
    const r = await as_process(async () => {
      const f = await libc.open('/tmp/file', O_CREAT | O_RDWR);
      return [
        await libc.open('/tmp/d', O_CREAT | O_DIRECTORY),
        await libc.openat(f, 'x', O_RDONLY),
        await libc.openat(55, 'x', O_RDONLY),
        await libc.openat(55, '/tmp/file', O_RDONLY),
        await libc.open('/tmp', O_RDWR),
      ];
    });
    expect(r).toEqual([-EINVAL, -ENOTDIR, -EBADF, 1, -EISDIR]);
  });

  it('maps anonymous memory and refuses file mappings the open mode forbids', async () => {
    await device({ mmap: () => 0 });
    const r = await as_process(async () => {
      const ro = await libc.open('/dev/test', O_RDONLY);
      const wo = await libc.open('/dev/test', O_WRONLY);
      const anon = await libc.mmap(
        0,
        4096,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS,
        -1,
        0,
      );
      return [
        anon > 0,
        await libc.munmap(anon, 4096),
        await libc.mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
        await libc.mmap(0, 4096, PROT_READ, MAP_SHARED, wo, 0),
        (await libc.mmap(0, 4096, PROT_READ, MAP_SHARED, ro, 0)) > 0,
        await libc.mmap(0, 4096, PROT_READ, MAP_SHARED, 77, 0),
        await libc.mmap(0, 4096, PROT_READ, MAP_SHARED, ro, 100),
      ];
    });
    expect(r).toEqual([true, 0, -EACCES, -EACCES, true, -EBADF, -EINVAL]);
  });
});

describe('pipes and poll', () => {
  it('blocks a reader until a writer writes, and ends at EOF', async () => {
    const log: string[] = [];
    const r = await as_process(async () => {
      const p = (await libc.pipe()) as [number, number];
      const reader = sim_spawn('reader', async () => {
        log.push(`got ${new TextDecoder().decode((await libc.read(p[0], 100)) as Uint8Array)}`);
        return 0;
      });
      sim_fork_files(reader);
      await sim_run_pending();
      log.push('writing');
      await libc.write(p[1], 'hello');
      await reader.exited;
      await libc.close(p[1]);
      return (await libc.read(p[0], 10)) as Uint8Array;
    });
    expect(log).toEqual(['writing', 'got hello']);
    expect(r.length).toBe(0);
  });

  it('gives -EAGAIN with O_NONBLOCK and -EPIPE with SIGPIPE without a reader', async () => {
    const r = await as_process(async () => {
      const p = (await libc.pipe(O_NONBLOCK)) as [number, number];
      const empty = await libc.read(p[0], 1);
      const big = new Uint8Array(70000);
      const first = await libc.write(p[1], big);
      const full = await libc.write(p[1], 'x');
      await libc.close(p[0]);
      libc.signal_ignore(SIGPIPE);
      const broken = await libc.write(p[1], 'x');
      return [empty, first, full, broken];
    });
    expect(r).toEqual([-EAGAIN, 65536, -EAGAIN, -EPIPE]);
  });

  it('kills a writer to a broken pipe with SIGPIPE', async () => {
    const t = sim_spawn('yes', async () => {
      const p = (await libc.pipe()) as [number, number];
      await libc.close(p[0]);
      await libc.write(p[1], 'y\n');
      return 0;
    });
    await sim_run_pending();
    expect(await t.exited).toBe(128 + SIGPIPE);
  });

  it('reports POLLNVAL, wakes on a write, times out, and stops on a signal', async () => {
    const r = await as_process(async () => {
      const p = (await libc.pipe()) as [number, number];
      const fds: pollfd[] = [
        { fd: p[0], events: POLLIN, revents: 0 },
        { fd: 99, events: POLLIN, revents: 0 },
        { fd: -1, events: POLLIN, revents: 0 },
      ];
      const nval = await libc.poll(fds, -1);
      const nval_revents = fds.map((f) => f.revents);
      const only: pollfd[] = [{ fd: p[0], events: POLLIN, revents: 0 }];
      const timeout = await libc.poll(only, 50);
      const me = current();
      sim_fork_files(
        sim_spawn('writer', async () => {
          await libc.write(p[1], 'x');
          return 0;
        }),
      );
      const woke = await libc.poll(only, -1);
      const woke_revents = only[0]!.revents;
      await libc.read(p[0], 1);
      sim_spawn('killer', async () => {
        send_sig(SIGINT, me);
        return 0;
      });
      const intr = await libc.poll(only, -1);
      me.pending.clear();
      const out: pollfd[] = [{ fd: p[1], events: POLLOUT, revents: 0 }];
      return [
        nval,
        nval_revents,
        timeout,
        woke,
        woke_revents,
        intr,
        await libc.poll(out, 0),
        out[0]!.revents,
      ];
    });
    expect(r).toEqual([1, [0, POLLNVAL, 0], 0, 1, POLLIN, -EINTR, 1, POLLOUT]);
  });

  it('reports FIONREAD of a pipe and a file', async () => {
    const r = await as_process(async () => {
      const p = (await libc.pipe()) as [number, number];
      await libc.write(p[1], 'abc');
      const n = new Uint8Array(4);
      const a = await libc.ioctl(p[0], FIONREAD, n);
      const fd = await libc.open('/tmp/f', O_CREAT | O_RDWR);
      await libc.write(fd, '0123456789');
      await libc.lseek(fd, 4, SEEK_SET);
      const m = new Uint8Array(4);
      const b = await libc.ioctl(fd, FIONREAD, m);
      return [a, n[0], b, m[0]];
    });
    expect(r).toEqual([0, 3, 0, 6]);
  });
});

describe('names', () => {
  it('makes, lists and removes names through libc', async () => {
    const r = await as_process(async () => [
      await libc.mkdir('/tmp/d', 0o755),
      await libc.mkdir('/tmp/d'),
      await libc.symlink('d', '/tmp/l'),
      await libc.readlink('/tmp/l'),
      ((await libc.lstat('/tmp/l')) as { size: number }).size,
      ((await libc.stat('/tmp/l')) as { mode: number }).mode,
      await libc.mknod('/tmp/d/f', S_IFREG | 0o600),
      ((await libc.readdir('/tmp/d')) as { d_name: string }[]).map((e) => e.d_name),
      await libc.readdir('/tmp/d/f'),
      await libc.rmdir('/tmp/d'),
      await libc.unlink('/tmp/d/f'),
      await libc.rmdir('/tmp/d'),
      await libc.readlink('/tmp/nothing'),
      await sys_readlink(sim_user_strdup('/tmp/l'), sim_user_alloc(8), 0),
      await sys_umask(0o077),
      await sys_umask(0o022),
    ]);
    expect(r).toEqual([
      0,
      -17,
      0,
      'd',
      1,
      S_IFDIR | 0o755,
      0,
      ['.', '..', 'f'],
      -ENOTDIR,
      -39,
      0,
      0,
      -ENOENT,
      -EINVAL,
      0o022,
      0o077,
    ]);
  });

  it('refuses a getdents64 buffer too small for one entry', async () => {
    const r = await as_process(async () => {
      const fd = await libc.open('/', O_RDONLY);
      const small = await sys_getdents64(fd, sim_user_alloc(16), 16);
      const ok = await sys_getdents64(fd, sim_user_alloc(4096), 4096);
      const end = await sys_getdents64(fd, sim_user_alloc(4096), 4096);
      return [small, ok > 0, end];
    });
    expect(r).toEqual([-EINVAL, true, 0]);
  });

  it('creates with openat relative to a directory fd', async () => {
    const r = await as_process(async () => {
      const dir = await libc.open('/tmp', O_RDONLY | O_DIRECTORY);
      const fd = await sys_openat(dir, sim_user_strdup('rel'), O_CREAT | O_WRONLY, 0o600);
      return [
        fd,
        ((await libc.stat('/tmp/rel')) as { mode: number }).mode,
        await sys_openat(AT_FDCWD, sim_user_strdup('rel'), O_RDONLY, 0),
      ];
    });
    expect(r).toEqual([1, S_IFREG | 0o600, -ENOENT]);
  });

  it('lets dup2 fail with EBUSY never for an installed fd', async () => {
    const r = await as_process(async () => {
      const a = await libc.open('/tmp', O_RDONLY);
      return [await libc.dup2(a, 5), await libc.fcntl(5, F_GETFD)];
    });
    expect(r).toEqual([5, 0]);
    expect(EBUSY).toBe(16);
    expect(MKDEV(10, 42)).toBe(0xa0002a);
  });
});

describe('remaining errno paths', () => {
  it('dup3, fcntl, unlinkat, newfstatat, getdents64 and poll argument errors', async () => {
    const r = await as_process(async () => {
      const fd = await libc.open('/tmp/f', O_CREAT | O_RDWR);
      const buf = sim_user_alloc(4096);
      const name = sim_user_strdup('/tmp/f');
      const empty = sim_user_strdup('');
      return [
        await sys_dup3(fd, fd, 0),
        await sys_dup3(fd, 5, 0o1),
        await sys_dup3(fd, 5, O_CLOEXEC),
        await sys_fcntl(5, F_GETFD, 0),
        await sys_fcntl(fd, F_DUPFD, 10),
        await sys_fcntl(fd, F_DUPFD, 5000),
        await sys_fcntl(fd, 999, 0),
        await sys_unlinkat(AT_FDCWD, name, 0x1),
        await sys_newfstatat(AT_FDCWD, name, buf, 0x4),
        await sys_newfstatat(fd, empty, buf, AT_EMPTY_PATH),
        await sys_newfstatat(fd, empty, buf, 0),
        await sys_getdents64(fd, buf, 4096),
        await sys_poll(buf, 5000, 0),
        await sys_fstat(77, buf),
      ];
    });
    expect(r).toEqual([
      -EINVAL,
      -EINVAL,
      5,
      FD_CLOEXEC,
      10,
      -EINVAL,
      -EINVAL,
      -EINVAL,
      -EINVAL,
      0,
      -ENOENT,
      -ENOTDIR,
      -EINVAL,
      -EBADF,
    ]);
  });

  it('runs out of descriptors in dup, pipe and anon_inode_getfd with -EMFILE', async () => {
    const r = await as_process(async () => {
      const fd = await libc.open('/tmp', O_RDONLY);
      for (let i = 1; i < 1023; i++) await libc.dup(fd);
      const pipe_with_one_left = await libc.pipe();
      const last = await libc.dup(fd);
      return [
        pipe_with_one_left,
        last,
        await libc.dup(fd),
        await libc.pipe(),
        anon_inode_getfd('[x]', {}, null, O_RDONLY),
      ];
    });
    expect(r).toEqual([-EMFILE, 1023, -EMFILE, -EMFILE, -EMFILE]);
  });
});

describe('working directory', () => {
  it('resolves relative names from the directory chdir chose, and fork copies it', async () => {
    const r = await as_process(async () => {
      await libc.mkdir('/tmp/den');
      const before = await libc.getcwd();
      const cd = await libc.chdir('/tmp/den');
      const fd = await libc.open('cub', O_CREAT | O_WRONLY);
      const seen = await libc.stat('/tmp/den/cub');
      const child_cwd: (string | number)[] = [];
      const child = sim_spawn('child', async () => {
        child_cwd.push(await libc.getcwd());
        return 0;
      });
      sim_fork_files(child);
      await child.exited;
      await libc.close(fd);
      const up = await libc.chdir('..');
      const after = await libc.getcwd();
      return [
        before,
        cd,
        typeof seen === 'number' ? seen : 'ok',
        child_cwd,
        up,
        after,
        await libc.chdir('/tmp/den/cub'),
        await libc.chdir('/nowhere'),
        await libc.chdir('den'),
        await libc.rmdir('/tmp/den/cub').then(() => libc.unlink('/tmp/den/cub')),
        await libc.rmdir('/tmp/den'),
        await libc.getcwd(),
        await libc.open('x', O_CREAT | O_WRONLY),
      ];
    });
    expect(r).toEqual([
      '/',
      0,
      'ok',
      ['/tmp/den'],
      0,
      '/tmp',
      -ENOTDIR,
      -ENOENT,
      0,
      0,
      0,
      -ENOENT,
      -ENOENT,
    ]);
  });
});
