import {
  delete_module,
  driver_core_fs_init,
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
  MAJOR,
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
import './foxes.js';
import './foxes_c.js';

const FOX = '\u{1F98A}';
const decoder = new TextDecoder();

function boot(): void {
  mm_init({ quiet: true, kasan: true });
  vfs_init();
  driver_core_fs_init();
  module_reset();
}

beforeEach(boot);

/** Runs `fn` as a user process; resolves to its exit code. */
function run(fn: () => Promise<number>): Promise<number> {
  return sim_spawn('foxes-test', fn).exited;
}

/** Reads `path` with `count`-byte reads until EOF; the text, or the first errno. */
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

/** What each failed allocation of a sweep led to: insmod's status, open's fd, read's return. */
type SweepStep = [number, number, number];

/**
 * Fails the 1st, 2nd, … allocation of `insmod <module> <args>` + open + read + close until
 * a run reaches none, removing the module after each; then counts what kmemleak reported
 * (at each rmmod, as the kernel scans at module unload, and once more at the end).
 */
async function sweep(module: string, node: string, args: string[]) {
  boot();
  kmemleak_enable();
  failslab.ignore_gfp_reclaim = false;
  failslab.attr.verbose = 0;
  const steps: SweepStep[] = [];
  for (let nth = 1; ; nth++) {
    let reached = true;
    await run(async () => {
      const path = sim_user_strdup(node);
      const buf = sim_user_alloc(4096);
      set_fail_nth(nth);
      const loaded = await load_module(module, args.join(' '));
      const fd = loaded < 0 ? loaded : await sys_open(path, O_RDONLY, 0);
      const n = fd < 0 ? fd : await sys_read(fd, buf, 4096);
      if (fd >= 0) await sys_close(fd);
      reached = get_fail_nth() === 0;
      set_fail_nth(0);
      steps.push([loaded, fd, n]);
      if (loaded === 0) await delete_module(module);
      return 0;
    });
    if (!reached) break;
  }
  kmemleak_scan();
  const report = kmemleak_report();
  const leaks = report.split('\n').filter((l) => l.startsWith('unreferenced object')).length;
  // The last run reached no injection point: it is the one that worked.
  return { steps: steps.slice(0, -1), last: steps.at(-1), leaks, report };
}

// The same behaviour from both drivers, down to the errnos and what the sweep finds.
for (const { module, node } of [
  { module: 'foxes', node: '/dev/foxes' },
  { module: 'foxes_c', node: '/dev/foxes_c' },
])
  describe(module, () => {
    it('gives each open 200 whole foxes, whatever the buffer size', async () => {
      expect((await kmod_insmod(module)).status).toBe(0);
      expect(await cat(node, 65536)).toBe(FOX.repeat(200));
      expect(await cat(node, 10)).toBe(FOX.repeat(200));
      expect(await cat(node, 7)).toBe(FOX.repeat(200));
      // A 1-byte read cannot hold a fox: 0 bytes, which a reader takes for end of file.
      expect(await cat(node, 1)).toBe('');
      expect((await kmod_rmmod([module])).status).toBe(0);
      expect(await cat(node, 4096)).toBe(-2);
    });

    it('registers a read-only misc device', async () => {
      expect((await kmod_insmod(module)).status).toBe(0);
      let mode = 0;
      let major = 0;
      await run(async () => {
        const st = await libc.stat(node);
        if (typeof st === 'number') return 1;
        mode = st.mode;
        major = MAJOR(st.rdev);
        return 0;
      });
      // S_IFCHR | 0444, on the misc major.
      expect(mode.toString(8)).toBe('20444');
      expect(major).toBe(10);
    });

    it('returns the foxes that fit before an unmapped page, or EFAULT, and loses none', async () => {
      expect((await kmod_insmod(module)).status).toBe(0);
      const seen: (number | string)[] = [];
      await run(async () => {
        const fd = await libc.open(node, O_RDONLY);
        const buf = sim_user_alloc(8192);
        sim_user_free(buf + 4096, 4096);
        // Six bytes before the hole: one fox fits, the second would be torn by the fault.
        seen.push(await sys_read(fd, buf + 4096 - 6, 12));
        seen.push(decoder.decode(sim_user_read(buf + 4096 - 6, 4)));
        seen.push(await sys_read(fd, buf + 4096 - 3, 12));
        seen.push(await sys_read(fd, buf + 4096, 12));
        const rest = await libc.read(fd, 4096);
        seen.push(typeof rest === 'number' ? rest : rest.length / 4);
        return libc.close(fd);
      });
      expect(seen).toEqual([4, FOX, -14, -14, 199]);
    });

    it('cannot be removed while a file is open', async () => {
      expect((await kmod_insmod(module)).status).toBe(0);
      const seen: unknown[] = [];
      await run(async () => {
        const fd = await libc.open(node, O_RDONLY);
        const busy = await kmod_rmmod([module]);
        seen.push(busy.status, busy.stderr);
        return libc.close(fd);
      });
      expect(seen).toEqual([1, `rmmod: ERROR: Module ${module} is in use\n`]);
      expect(await kmod_rmmod([module])).toEqual({ status: 0, stdout: '', stderr: '' });
    });

    it('failslab over insmod + open/read/close: every failure unwinds, nothing leaks', async () => {
      const r = await sweep(module, node, []);
      // Each injected failure fails the open with ENOMEM; the run without one reads 200 foxes.
      expect(r.steps.length).toBeGreaterThan(0);
      for (const step of r.steps) expect(step).toEqual([0, -12, -12]);
      expect(r.last).toEqual([0, 0, 800]);
      expect(r.leaks).toBe(0);
      expect(kasan_report_count()).toBe(0);
    });
  });

describe('foxes_c buggy=1', () => {
  it('the failslab sweep finds the state its open leaks', async () => {
    const r = await sweep('foxes_c', '/dev/foxes_c', ['buggy=1']);
    // The failures: the VFS's struct file, the driver's state, its den.
    expect(r.steps).toEqual([
      [0, -12, -12],
      [0, -12, -12],
      [0, -12, -12],
    ]);
    expect(r.leaks).toBe(1);
    const report = r.report.split('\n');
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

describe('foxes global=1', () => {
  it('two readers share one count of 200 foxes', async () => {
    expect((await kmod_insmod('foxes', ['global=1'])).status).toBe(0);
    // Two open files, read in turns of 25 foxes, as two cats would interleave.
    const got = [0, 0];
    const code = await run(async () => {
      const fds = [
        await libc.open('/dev/foxes', O_RDONLY),
        await libc.open('/dev/foxes', O_RDONLY),
      ];
      for (let done = 0; done < 2; ) {
        done = 0;
        for (const i of [0, 1]) {
          const r = await libc.read(fds[i]!, 100);
          if (typeof r === 'number') return 1;
          if (r.length === 0) done++;
          got[i]! += [...decoder.decode(r)].length;
        }
      }
      for (const fd of fds) await libc.close(fd);
      return 0;
    });
    expect(code).toBe(0);
    expect(got).toEqual([100, 100]);
    // The count belongs to the module, not to a file: a later reader finds none left.
    expect(await cat('/dev/foxes', 4096)).toBe('');
    expect((await kmod_rmmod(['foxes'])).status).toBe(0);
    expect((await kmod_insmod('foxes', ['global=1'])).status).toBe(0);
    expect(await cat('/dev/foxes', 4096)).toBe(FOX.repeat(200));
  });

  it('the failslab sweep finds no leak of the shared count', async () => {
    const r = await sweep('foxes', '/dev/foxes', ['global=1']);
    expect(r.steps.length).toBeGreaterThan(0);
    expect(r.last).toEqual([0, 0, 800]);
    expect(r.leaks).toBe(0);
    expect(kasan_report_count()).toBe(0);
  });
});
