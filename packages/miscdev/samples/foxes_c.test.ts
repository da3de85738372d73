import {
  delete_module,
  driver_core_fs_init,
  driver_init,
  failslab,
  get_fail_nth,
  kasan_report_count,
  kmemleak_enable,
  kmemleak_report,
  kmemleak_scan,
  kmod_insmod,
  kmod_rmmod,
  libc,
  load_module,
  mm_init,
  module_reset,
  O_RDONLY,
  set_fail_nth,
  sim_spawn,
  sim_user_alloc,
  sim_user_free,
  sim_user_read,
  sim_user_strdup,
  sys_close,
  sys_open,
  sys_read,
  vfs_init,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import './foxes_c.js';

const FOX = '\u{1F98A}';
const decoder = new TextDecoder();

beforeEach(() => {
  mm_init({ quiet: true, kasan: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  module_reset();
});

/** Runs `fn` as a user process; resolves to its exit code. */
function run(fn: () => Promise<number>): Promise<number> {
  return sim_spawn('foxes-test', fn).exited;
}

/** Reads the device with `count`-byte reads until EOF; the text, or the first errno. */
async function cat(path: string, count: number): Promise<string | number> {
  let out: string | number = '';
  await run(async () => {
    const fd = await libc.open(path, O_RDONLY);
    if (fd < 0) {
      out = fd;
      return 1;
    }
    for (;;) {
      const r = await libc.read(fd, count);
      if (typeof r === 'number') {
        out = r;
        break;
      }
      if (r.length === 0) break;
      out += decoder.decode(r);
    }
    return libc.close(fd);
  });
  return out;
}

describe('foxes_c', () => {
  it('gives each open 200 whole foxes, whatever the buffer size', async () => {
    expect((await kmod_insmod('foxes_c')).status).toBe(0);
    expect(await cat('/dev/foxes_c', 65536)).toBe(FOX.repeat(200));
    expect(await cat('/dev/foxes_c', 10)).toBe(FOX.repeat(200));
    // A 1-byte read cannot hold a fox: 0 bytes, which a reader takes for end of file.
    expect(await cat('/dev/foxes_c', 1)).toBe('');
    expect((await kmod_rmmod(['foxes_c'])).status).toBe(0);
  });

  it('returns the foxes that fit before an unmapped page, or EFAULT', async () => {
    expect((await kmod_insmod('foxes_c')).status).toBe(0);
    const seen: (number | string)[] = [];
    await run(async () => {
      const fd = await libc.open('/dev/foxes_c', O_RDONLY);
      const buf = sim_user_alloc(8192);
      sim_user_free(buf + 4096, 4096);
      // Six bytes before the hole: one fox fits, the second is torn by the fault.
      const n = await sys_read(fd, buf + 4096 - 6, 12);
      seen.push(n, decoder.decode(sim_user_read(buf + 4096 - 6, 4)));
      seen.push(await sys_read(fd, buf + 4096 - 3, 12));
      seen.push(await sys_read(fd, buf + 4096, 12));
      const rest = await libc.read(fd, 4096);
      seen.push(typeof rest === 'number' ? rest : rest.length / 4);
      return libc.close(fd);
    });
    expect(seen).toEqual([4, FOX, -14, -14, 199]);
  });

  it('failslab over insmod + open/read/close: buggy=1 leaks the state, the default none', async () => {
    expect(await sweep([])).toEqual({ steps: SWEEP_STEPS, leaks: 0, report: '' });
    expect(kasan_report_count()).toBe(0);
    const buggy = await sweep(['buggy=1']);
    expect(buggy.steps).toEqual(SWEEP_STEPS);
    expect(buggy.leaks).toBe(1);
    const report = buggy.report.split('\n');
    expect(report[0]).toMatch(/^unreferenced object 0xffff8880[0-9a-f]{8} \(size 16\):$/);
    expect(report[1]).toMatch(/^ {2}comm "foxes-test", pid \d+, jiffies \d+$/);
    expect(report[2]).toBe('  hex dump (first 16 bytes):');
    expect(report[4]).toMatch(/^ {2}backtrace \(crc [0-9a-f]+\):$/);
    // The allocation in foxes_c_open (called as the fops' open), under misc's open and the VFS's.
    expect(report[5]).toMatch(
      /^ {4}foxes_c_open \[as open\] packages\/miscdev\/samples\/foxes_c\.ts:\d+$/,
    );
    expect(report[6]).toMatch(/^ {4}misc_open \[as open\] /);
    expect(report.some((l) => l.startsWith('    vfs_open '))).toBe(true);
    expect(kasan_report_count()).toBe(0);
  });
});

/** What each failed allocation of the sweep leads to: insmod's status, open's fd, read's return. */
const SWEEP_STEPS: [number, number, number][] = [
  [0, -12, -12],
  [0, -12, -12],
  [0, -12, -12],
];

/**
 * Fails the 1st, 2nd, … allocation of `insmod foxes_c` + open + read + close until a run
 * reaches none, removing the module after each; then counts what kmemleak reported. The
 * three failures are the VFS's `struct file`, the driver's state, and its den.
 */
async function sweep(args: string[]) {
  mm_init({ quiet: true, kasan: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  module_reset();
  kmemleak_enable();
  failslab.ignore_gfp_reclaim = false;
  failslab.attr.verbose = 0;
  const steps: [number, number, number][] = [];
  for (let nth = 1; ; nth++) {
    let reached = true;
    await run(async () => {
      const path = sim_user_strdup('/dev/foxes_c');
      const buf = sim_user_alloc(4096);
      set_fail_nth(nth);
      const loaded = await load_module('foxes_c', args.join(' '));
      const fd = loaded < 0 ? loaded : await sys_open(path, O_RDONLY, 0);
      const n = fd < 0 ? fd : await sys_read(fd, buf, 4096);
      if (fd >= 0) await sys_close(fd);
      reached = get_fail_nth() === 0;
      set_fail_nth(0);
      steps.push([loaded, fd, n]);
      if (loaded === 0) await delete_module('foxes_c');
      return 0;
    });
    if (!reached) break;
  }
  // rmmod already scanned (as the kernel does at module unload); scan once more for the last run.
  kmemleak_scan();
  const report = kmemleak_report();
  const leaks = report.split('\n').filter((l) => l.startsWith('unreferenced object')).length;
  return { steps: steps.slice(0, -1), leaks, report };
}
