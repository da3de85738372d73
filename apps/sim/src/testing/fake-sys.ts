/**
 * An in-memory {@link Sys} for the shell's unit tests: a tree of directories, regular
 * files and character devices, pipes, and one descriptor table per task of the simulated
 * scheduler. It tests the shell language apart from the kernel's VFS; the machine's tests
 * run the same commands on the real thing.
 *
 * @module
 */

import { current, ktime_get, sim_spawn } from '@rfl/kernel';
import { hrtimer_nanosleep } from '../machine/nanosleep.js';
import {
  type Child,
  type Dirent,
  DT_CHR,
  DT_DIR,
  DT_REG,
  type KmodTools,
  makedev,
  O_ACCMODE,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  type ProcessInfo,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  SIGSEGV,
  type Stat,
  type Sys,
  type Utsname,
} from '../sys.js';

const TCGETS = 0x5401;

const E = {
  ESRCH: 3,
  ENOENT: 2,
  EBADF: 9,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOTEMPTY: 39,
  ESPIPE: 29,
  EPIPE: 32,
  ENOTTY: 25,
  ENOSYS: 38,
};

/** A character device of the fake: what read and write do. */
export interface FakeDevice {
  read?(buf: Uint8Array, pos: number): number;
  write?(data: Uint8Array): number;
  /** Answers TCGETS, as a terminal does. */
  tty?: boolean;
}

interface Inode {
  ino: number;
  mode: number;
  rdev: number;
  data: Uint8Array;
  children?: Map<string, Inode>;
  device?: FakeDevice;
  mtime: bigint;
}

interface PipeState {
  buf: number[];
  readers: number;
  writers: number;
  wake: (() => void)[];
}

interface OpenFile {
  inode?: Inode;
  pipe?: PipeState;
  end?: 'r' | 'w';
  flags: number;
  pos: number;
  refs: number;
}

export class FakeSys implements Sys {
  #nextIno = 1;
  readonly root: Inode = this.#inode(S_IFDIR | 0o755);
  readonly #tables = new Map<number, (OpenFile | undefined)[]>();

  #inode(mode: number, rdev = 0): Inode {
    const inode: Inode = { ino: this.#nextIno++, mode, rdev, data: new Uint8Array(0), mtime: 0n };
    if ((mode & S_IFMT) === S_IFDIR) inode.children = new Map();
    return inode;
  }

  /** Adds a directory (and its parents). */
  mkdirp(path: string): void {
    let dir = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      let next = dir.children!.get(part);
      if (next === undefined) {
        next = this.#inode(S_IFDIR | 0o755);
        dir.children!.set(part, next);
      }
      dir = next;
    }
  }

  /** Adds a character device node with the given behaviour. */
  addDevice(path: string, major: number, minor: number, device: FakeDevice): void {
    const { dir, name } = this.#parent(path) as { dir: Inode; name: string };
    const inode = this.#inode(S_IFCHR | 0o666, makedev(major, minor));
    inode.device = device;
    dir.children!.set(name, inode);
  }

  /** Opens fds 0, 1 and 2 of the calling task on the given paths. */
  attachStdio(paths: [string, string, string]): void {
    const table = this.#table();
    for (const [fd, path] of paths.entries()) {
      const inode = this.#lookup(path) as Inode;
      table[fd] = { inode, flags: 2, pos: 0, refs: 1 };
    }
  }

  #table(pid = current().pid): (OpenFile | undefined)[] {
    let t = this.#tables.get(pid);
    if (t === undefined) {
      t = [];
      this.#tables.set(pid, t);
    }
    return t;
  }

  #lookup(path: string): Inode | number {
    let node = this.root;
    for (const part of this.#abs(path).split('/').filter(Boolean)) {
      if (node.children === undefined) return -E.ENOTDIR;
      const next = node.children.get(part);
      if (next === undefined) return -E.ENOENT;
      node = next;
    }
    return node;
  }

  #parent(path: string): { dir: Inode; name: string } | number {
    const parts = this.#abs(path).split('/').filter(Boolean);
    const name = parts.pop();
    if (name === undefined) return -E.EEXIST;
    const dir = this.#lookup(`/${parts.join('/')}`);
    if (typeof dir === 'number') return dir;
    if (dir.children === undefined) return -E.ENOTDIR;
    return { dir, name };
  }

  #install(file: OpenFile): number {
    const table = this.#table();
    let fd = 0;
    while (table[fd] !== undefined) fd++;
    table[fd] = file;
    return fd;
  }

  #file(fd: number): OpenFile | undefined {
    return this.#table()[fd];
  }

  #put(file: OpenFile): void {
    file.refs--;
    if (file.refs > 0 || file.pipe === undefined) return;
    if (file.end === 'r') file.pipe.readers--;
    else file.pipe.writers--;
    for (const w of file.pipe.wake.splice(0)) w();
  }

  async open(path: string, flags: number, mode = 0o666): Promise<number> {
    let inode = this.#lookup(path);
    if (inode === -E.ENOENT && flags & O_CREAT) {
      const p = this.#parent(path);
      if (typeof p === 'number') return p;
      inode = this.#inode(S_IFREG | (mode & 0o777 & ~0o022));
      p.dir.children!.set(p.name, inode);
    } else if (typeof inode !== 'number' && flags & O_CREAT && flags & O_EXCL) {
      return -E.EEXIST;
    }
    if (typeof inode === 'number') return inode;
    const isDir = (inode.mode & S_IFMT) === S_IFDIR;
    if (isDir && (flags & O_ACCMODE) !== O_RDONLY) return -E.EISDIR;
    if (!isDir && flags & O_DIRECTORY) return -E.ENOTDIR;
    if (flags & O_TRUNC && (inode.mode & S_IFMT) === S_IFREG) inode.data = new Uint8Array(0);
    return this.#install({ inode, flags, pos: 0, refs: 1 });
  }

  async close(fd: number): Promise<number> {
    const table = this.#table();
    const file = table[fd];
    if (file === undefined) return -E.EBADF;
    table[fd] = undefined;
    this.#put(file);
    return 0;
  }

  async read(fd: number, buf: Uint8Array): Promise<number> {
    const file = this.#file(fd);
    if (file === undefined || (file.flags & O_ACCMODE) === O_WRONLY) return -E.EBADF;
    if (file.pipe !== undefined) {
      const p = file.pipe;
      while (p.buf.length === 0 && p.writers > 0) {
        await new Promise<void>((resolve) => p.wake.push(resolve));
      }
      const n = Math.min(buf.length, p.buf.length);
      buf.set(p.buf.splice(0, n));
      for (const w of p.wake.splice(0)) w();
      return n;
    }
    const inode = file.inode!;
    if (inode.device !== undefined) {
      const n = inode.device.read?.(buf, file.pos) ?? -E.EINVAL;
      if (n > 0) file.pos += n;
      return n;
    }
    if (inode.children !== undefined) return -E.EISDIR;
    const n = Math.max(0, Math.min(buf.length, inode.data.length - file.pos));
    buf.set(inode.data.subarray(file.pos, file.pos + n));
    file.pos += n;
    return n;
  }

  async write(fd: number, data: Uint8Array): Promise<number> {
    const file = this.#file(fd);
    if (file === undefined || (file.flags & O_ACCMODE) === O_RDONLY) return -E.EBADF;
    if (file.pipe !== undefined) {
      const p = file.pipe;
      if (p.readers === 0) return -E.EPIPE;
      p.buf.push(...data);
      for (const w of p.wake.splice(0)) w();
      return data.length;
    }
    const inode = file.inode!;
    if (inode.device !== undefined) return inode.device.write?.(data) ?? -E.EINVAL;
    if (file.flags & O_APPEND) file.pos = inode.data.length;
    const end = file.pos + data.length;
    if (end > inode.data.length) {
      const grown = new Uint8Array(end);
      grown.set(inode.data);
      inode.data = grown;
    }
    inode.data.set(data, file.pos);
    file.pos = end;
    return data.length;
  }

  async lseek(fd: number, offset: number, whence: number): Promise<number> {
    const file = this.#file(fd);
    if (file === undefined) return -E.EBADF;
    if (file.pipe !== undefined) return -E.ESPIPE;
    const base =
      whence === SEEK_SET
        ? 0
        : whence === SEEK_CUR
          ? file.pos
          : whence === SEEK_END
            ? file.inode!.data.length
            : NaN;
    if (Number.isNaN(base) || base + offset < 0) return -E.EINVAL;
    file.pos = base + offset;
    return file.pos;
  }

  async pipe2(): Promise<[number, number] | number> {
    const pipe: PipeState = { buf: [], readers: 1, writers: 1, wake: [] };
    const r = this.#install({ pipe, end: 'r', flags: O_RDONLY, pos: 0, refs: 1 });
    const w = this.#install({ pipe, end: 'w', flags: O_WRONLY, pos: 0, refs: 1 });
    return [r, w];
  }

  async dup(fd: number): Promise<number> {
    const file = this.#file(fd);
    if (file === undefined) return -E.EBADF;
    file.refs++;
    return this.#install(file);
  }

  async dup2(oldfd: number, newfd: number): Promise<number> {
    const file = this.#file(oldfd);
    if (file === undefined) return -E.EBADF;
    if (oldfd === newfd) return newfd;
    const table = this.#table();
    const old = table[newfd];
    file.refs++;
    table[newfd] = file;
    if (old !== undefined) this.#put(old);
    return newfd;
  }

  async ioctl(fd: number, cmd: number): Promise<number> {
    const file = this.#file(fd);
    if (file === undefined) return -E.EBADF;
    return cmd === TCGETS && file.inode?.device?.tty ? 0 : -E.ENOTTY;
  }

  #stat(inode: Inode): Stat {
    return {
      st_dev: 5,
      st_ino: inode.ino,
      st_mode: inode.mode,
      st_nlink: inode.children !== undefined ? 2 : 1,
      st_uid: 0,
      st_gid: 0,
      st_rdev: inode.rdev,
      st_size: inode.children !== undefined ? 0 : inode.data.length,
      st_blksize: 4096,
      st_blocks: Math.ceil(inode.data.length / 4096) * 8,
      st_atime_ns: inode.mtime,
      st_mtime_ns: inode.mtime,
      st_ctime_ns: inode.mtime,
    };
  }

  async stat(path: string): Promise<Stat | number> {
    const inode = this.#lookup(path);
    return typeof inode === 'number' ? inode : this.#stat(inode);
  }

  lstat(path: string): Promise<Stat | number> {
    return this.stat(path);
  }

  async fstat(fd: number): Promise<Stat | number> {
    const file = this.#file(fd);
    if (file === undefined) return -E.EBADF;
    if (file.pipe !== undefined) return { ...this.#stat(this.#inode(S_IFIFO | 0o600)) };
    return this.#stat(file.inode!);
  }

  async readdir(path: string): Promise<Dirent[] | number> {
    const dir = this.#lookup(path);
    if (typeof dir === 'number') return dir;
    if (dir.children === undefined) return -E.ENOTDIR;
    const entries: Dirent[] = [
      { d_ino: dir.ino, d_type: DT_DIR, d_name: '.' },
      { d_ino: dir.ino, d_type: DT_DIR, d_name: '..' },
    ];
    for (const [name, inode] of dir.children) {
      const type = (inode.mode & S_IFMT) === S_IFDIR ? DT_DIR : inode.device ? DT_CHR : DT_REG;
      entries.push({ d_ino: inode.ino, d_type: type, d_name: name });
    }
    return entries;
  }

  async readlink(path: string): Promise<string | number> {
    const inode = this.#lookup(path);
    return typeof inode === 'number' ? inode : -E.EINVAL;
  }

  async mknod(path: string, mode: number, dev: number): Promise<number> {
    const p = this.#parent(path);
    if (typeof p === 'number') return p;
    if (p.dir.children!.has(p.name)) return -E.EEXIST;
    p.dir.children!.set(p.name, this.#inode(mode, dev));
    return 0;
  }

  async mkdir(path: string, mode: number): Promise<number> {
    const p = this.#parent(path);
    if (typeof p === 'number') return p;
    if (p.dir.children!.has(p.name)) return -E.EEXIST;
    p.dir.children!.set(p.name, this.#inode(S_IFDIR | mode));
    return 0;
  }

  async unlink(path: string): Promise<number> {
    const p = this.#parent(path);
    if (typeof p === 'number') return p;
    const inode = p.dir.children!.get(p.name);
    if (inode === undefined) return -E.ENOENT;
    if (inode.children !== undefined) return -E.EISDIR;
    p.dir.children!.delete(p.name);
    return 0;
  }

  async rmdir(path: string): Promise<number> {
    const p = this.#parent(path);
    if (typeof p === 'number') return p;
    const inode = p.dir.children!.get(p.name);
    if (inode === undefined) return -E.ENOENT;
    if (inode.children === undefined) return -E.ENOTDIR;
    if (inode.children.size > 0) return -E.ENOTEMPTY;
    p.dir.children!.delete(p.name);
    return 0;
  }

  readonly #cwd = new Map<number, string>();

  async chdir(path: string): Promise<number> {
    const abs = this.#abs(path);
    const inode = this.#lookup(abs);
    if (typeof inode === 'number') return inode;
    if (inode.children === undefined) return -E.ENOTDIR;
    this.#cwd.set(current().pid, abs);
    return 0;
  }

  async getcwd(): Promise<string | number> {
    return this.#cwd.get(current().pid) ?? '/';
  }

  /** `path` made absolute against the caller's working directory (no `.`/`..` folding). */
  #abs(path: string): string {
    if (path.startsWith('/')) return path;
    const cwd = this.#cwd.get(current().pid) ?? '/';
    return cwd.endsWith('/') ? cwd + path : `${cwd}/${path}`;
  }

  nanosleep(ns: number): Promise<number> {
    return hrtimer_nanosleep(ns);
  }

  clock_realtime(): bigint {
    return 0n;
  }

  clock_monotonic(): bigint {
    return BigInt(ktime_get());
  }

  /** The fake has no modules: every tool fails as with CONFIG_MODULES off. */
  readonly kmod: KmodTools = {
    insmod: async () => ({ status: 1, stdout: '', stderr: 'insmod: ERROR: no modules here\n' }),
    rmmod: async () => ({ status: 1, stdout: '', stderr: 'rmmod: ERROR: no modules here\n' }),
    modprobe: async () => ({ status: 1, stdout: '', stderr: 'modprobe: FATAL: no modules here\n' }),
    lsmod: () => ({ status: 0, stdout: 'Module                  Size  Used by\n', stderr: '' }),
    modinfo: () => ({ status: 1, stdout: '', stderr: 'modinfo: ERROR: no modules here\n' }),
  };

  async syslog(): Promise<string | number> {
    return -E.ENOSYS;
  }

  processes(): ProcessInfo[] {
    return [];
  }

  uname(): Utsname {
    return {
      sysname: 'Linux',
      nodename: 'fake',
      release: '0.0.0',
      version: '#1',
      machine: 'x86_64',
    };
  }

  kill_foreground(): void {}

  kill(): number {
    return -E.ESRCH;
  }

  getpid(): number {
    return current().pid;
  }

  spawn(comm: string, body: () => Promise<number>): Child {
    const copy = this.#table().map((f) => {
      if (f !== undefined) f.refs++;
      return f;
    });
    const task = sim_spawn(comm, async () => {
      try {
        return await body();
      } finally {
        const table = this.#table();
        for (const f of table) if (f !== undefined) this.#put(f);
        this.#tables.delete(current().pid);
      }
    });
    this.#tables.set(task.pid, copy);
    const cwd = this.#cwd.get(current().pid);
    if (cwd !== undefined) this.#cwd.set(task.pid, cwd);
    return {
      pid: task.pid,
      wait: async () => {
        const code = await task.exited;
        return code === -1 ? { status: 128 + SIGSEGV, signal: SIGSEGV } : { status: code };
      },
    };
  }
}
