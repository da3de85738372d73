import {
  _IOC,
  dmesg,
  errname,
  libc,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_APPEND,
  O_CREAT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  PAGE_OFFSET,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  S_ISCHR,
  S_ISDIR,
  sim_spawn,
  sim_user_alloc,
  sim_user_string,
  sim_user_write,
  sys_close,
  sys_dup,
  sys_ioctl,
  sys_lseek,
  sys_mmap,
  sys_munmap,
  sys_open,
  sys_poll,
  sys_read,
  sys_write,
  TASK_SIZE_MAX,
} from '@rfl/kernel';
import { describe, expect, it } from 'vitest';
import { bootMachine } from './boot.js';
import { kernelPlatform } from './kernel-platform.js';
import { runScript } from './machine.js';

const CALLS = 20_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every character device node under /dev, found the way `ls` would. */
async function deviceNodes(dir = '/dev'): Promise<string[]> {
  const out: string[] = [];
  const entries = await libc.readdir(dir);
  if (typeof entries === 'number') return out;
  for (const e of entries) {
    if (e.d_name === '.' || e.d_name === '..') continue;
    const path = `${dir}/${e.d_name}`;
    const st = await libc.lstat(path);
    if (typeof st === 'number') continue;
    if (S_ISCHR(st.mode)) out.push(path);
    else if (S_ISDIR(st.mode)) out.push(...(await deviceNodes(path)));
  }
  return out;
}

describe('the system calls under fuzzing', () => {
  it('20,000 random calls on every device node: negative errnos only, and the sim lives on', async () => {
    const sink = { stdout: () => {}, stderr: () => {} };
    const platform = await bootMachine({ seed: 7, io: sink }, kernelPlatform);
    const nodes = await deviceNodes();
    // The machine's own devices: the memory devices, misc ones such as /dev/edu.
    expect(nodes).toEqual(expect.arrayContaining(['/dev/null', '/dev/zero', '/dev/edu']));

    const failures: string[] = [];
    /** How each call ended, `name:OK` or `name:EFAULT`: proof the calls reach the drivers. */
    const outcomes = new Map<string, number>();
    let completed = 0;
    const fuzz = sim_spawn('fuzz', async () => {
      const r = mulberry32(20261121);
      const int = (n: number) => Math.floor(r() * n);
      const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
      const size = 64 * 1024;
      const buf = sim_user_alloc(size);
      const ro = sim_user_alloc(4096, PROT_READ);
      // The nodes' names in user memory, one 256-byte slot each.
      const names = sim_user_alloc(256 * nodes.length);
      for (const [i, n] of nodes.entries()) sim_user_string(names + 256 * i, n);
      const fds: number[] = [];
      const pointer = (): number =>
        pick([
          () => buf + int(size),
          () => buf + size - int(16), // runs into the unmapped page after the buffer
          () => ro + int(4096), // read-only for the kernel's writes
          () => 0,
          () => int(4096),
          () => PAGE_OFFSET + int(1 << 20), // kernel memory
          () => TASK_SIZE_MAX - int(4096),
          () => 2 ** 47 + int(1 << 20),
          () => -int(1 << 20),
        ])();
      const length = (): number =>
        pick([
          () => int(16),
          () => int(4096),
          () => int(size),
          () => 0,
          () => -1,
          () => 2 ** 31 + int(10),
          () => 2 ** 53 - 1,
        ])();
      const fd = (): number =>
        fds.length && r() < 0.8 ? pick(fds) : pick([-1, 0, 1, 2, 3, 100, 1023, 1024, 2 ** 31]);
      const ioctlCmd = (): number =>
        r() < 0.5
          ? int(2 ** 32)
          : _IOC(int(4), int(256), int(256), pick([0, 1, 4, 8, 16, 4096, 16383]));
      const openFlags = (): number =>
        pick([O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_NONBLOCK, O_WRONLY | O_APPEND]) |
        (r() < 0.05 ? O_CREAT | O_TRUNC : 0) |
        (r() < 0.02 ? int(2 ** 31) : 0);

      const calls: [string, () => Promise<number>][] = [
        [
          'open',
          async () => {
            const node = r() < 0.9 ? int(nodes.length) : -1;
            const path = node >= 0 ? names + 256 * node : pointer();
            // A GPIO chip's read waits for line-info events, as in Linux, and nothing in this
            // run would ever send one: open the chips non-blocking.
            const waits = nodes[node]?.startsWith('/dev/gpiochip') ? O_NONBLOCK : 0;
            const res = await sys_open(path, openFlags() | waits, int(0o1000));
            if (res >= 0) fds.push(res);
            return res;
          },
        ],
        [
          'close',
          async () => {
            const f = fd();
            const res = await sys_close(f);
            if (res === 0) fds.splice(fds.indexOf(f), 1);
            return res;
          },
        ],
        ['read', () => sys_read(fd(), pointer(), length())],
        [
          'write',
          async () => {
            const p = buf + int(size - 64);
            // Mostly small decimal numbers (what /dev/edu takes), sometimes noise.
            sim_user_write(p, new TextEncoder().encode(r() < 0.5 ? `${int(20)}\n` : `${r()}`));
            return sys_write(fd(), r() < 0.7 ? p : pointer(), r() < 0.7 ? int(24) : length());
          },
        ],
        ['lseek', () => sys_lseek(fd(), pick([0, 1, -1, int(1 << 20), -(2 ** 40)]), int(6))],
        ['ioctl', () => sys_ioctl(fd(), ioctlCmd(), r() < 0.5 ? pointer() : int(2 ** 32))],
        [
          'poll',
          async () => {
            const n = int(4);
            const view = new DataView(new ArrayBuffer(8 * n));
            for (let i = 0; i < n; i++) {
              view.setInt32(8 * i, fd(), true);
              view.setInt16(8 * i + 4, int(0x10000) - 0x8000, true);
            }
            sim_user_write(buf, new Uint8Array(view.buffer));
            // Never a timeout: a poll that waits would only wait on the virtual clock.
            return sys_poll(r() < 0.9 ? buf : pointer(), r() < 0.9 ? n : length(), 0);
          },
        ],
        [
          'mmap',
          async () => {
            const res = await sys_mmap(
              r() < 0.7 ? 0 : pointer(),
              r() < 0.7 ? 4096 * (1 + int(4)) : length(),
              pick([PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_EXEC, 0]),
              pick([MAP_SHARED, MAP_PRIVATE, MAP_PRIVATE | MAP_ANONYMOUS, MAP_SHARED | MAP_FIXED]),
              fd(),
              pick([0, 4096, int(2 ** 32), -4096]),
            );
            // Give mappings back so the address space does not fill up.
            if (res > 0 && res < TASK_SIZE_MAX && res !== buf && res !== ro && res !== names) {
              await sys_munmap(res, 4096);
            }
            return res;
          },
        ],
        ['munmap', () => sys_munmap(r() < 0.5 ? buf + 4096 * (16 + int(16)) : pointer(), length())],
        [
          'dup',
          async () => {
            const res = await sys_dup(fd());
            if (res >= 0) fds.push(res);
            return res;
          },
        ],
      ];

      for (let i = 0; i < CALLS; i++) {
        const [name, call] = pick(calls);
        try {
          const res = await call();
          const key = `${name}:${res >= 0 ? 'OK' : (errname(res) ?? res)}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (!Number.isInteger(res)) failures.push(`#${i} ${name} returned ${String(res)}`);
          else if (res < 0 && errname(res) === undefined) {
            failures.push(`#${i} ${name} returned ${res}, not an errno`);
          }
        } catch (e) {
          failures.push(`#${i} ${name} threw ${e instanceof Error ? e.message : String(e)}`);
        }
        completed++;
        // Keep the descriptor table from filling up: it is the calls that are being tested.
        while (fds.length > 64) await sys_close(fds.shift()!);
      }
      for (const f of fds) await sys_close(f);
      return 0;
    });

    expect(await fuzz.exited).toBe(0);
    expect(completed).toBe(CALLS);
    expect(failures).toEqual([]);
    // The calls got past the argument checks into the drivers, and were turned away too.
    for (const key of [
      'open:OK',
      'read:OK',
      'write:OK',
      'ioctl:ENOTTY',
      'read:EFAULT',
      'write:EFAULT',
      'close:EBADF',
      'mmap:OK',
      'poll:OK',
    ]) {
      expect(outcomes.get(key) ?? 0, key).toBeGreaterThan(20);
    }
    // No Oops, no BUG: every bad argument was turned away with an errno.
    expect(dmesg()).not.toMatch(/Oops|BUG:|Call Trace:/);
    // The machine still answers its shell.
    expect(await runScript(platform, 'echo alive > /tmp/fuzz; cat /tmp/fuzz > /dev/null')).toBe(0);
  }, 300_000);
});
