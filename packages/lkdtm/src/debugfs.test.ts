import {
  dmesg,
  driver_core_fs_init,
  kmod_modprobe,
  kmod_rmmod,
  libc,
  mm_init,
  module_reset,
  O_RDONLY,
  O_WRONLY,
  panic_reset,
  printk_reset,
  sim_spawn,
  vfs_init,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import './module.js';

const DIRECT = '/sys/kernel/debug/provoke-crash/DIRECT';

beforeEach(() => {
  module_reset();
  mm_init({ quiet: true, kasan: true });
  vfs_init();
  driver_core_fs_init();
  printk_reset();
  panic_reset();
});

/** Runs `fn` as a user process; its exit status. */
async function run(comm: string, fn: () => Promise<number>): Promise<number> {
  return sim_spawn(comm, fn).exited;
}

describe('the lkdtm module', () => {
  it('creates provoke-crash/DIRECT in debugfs and removes it again', async () => {
    expect((await kmod_modprobe('lkdtm')).status).toBe(0);
    expect(dmesg()).toContain('lkdtm: No crash points registered, enable through debugfs\n');
    let listing = '';
    await run('cat', async () => {
      const fd = await libc.open(DIRECT, O_RDONLY);
      const bytes = await libc.read(fd, 4096);
      listing = typeof bytes === 'number' ? `error ${bytes}` : new TextDecoder().decode(bytes);
      return libc.close(fd);
    });
    expect(listing.split('\n').slice(0, 2)).toEqual(['Available crash types:', 'BUG']);
    expect(listing).toContain('\nUSERCOPY_KERNEL\n');
    expect((await kmod_rmmod(['lkdtm'])).status).toBe(0);
    const gone = await run('cat', async () => libc.open(DIRECT, O_RDONLY));
    expect(gone).not.toBe(0);
  });

  it('runs the test written to DIRECT in the writing process', async () => {
    await kmod_modprobe('lkdtm');
    printk_reset();
    const status = await run('echo', async () => {
      const fd = await libc.open(DIRECT, O_WRONLY);
      await libc.write(fd, 'BUG\n');
      return 0;
    });
    expect(status).toBe(-1);
    expect(dmesg()).toContain('lkdtm: Performing direct entry BUG\n');
    expect(dmesg()).toContain('kernel BUG at ');
    expect(dmesg()).toContain('Comm: echo');
  });

  it('refuses unknown names with EINVAL', async () => {
    await kmod_modprobe('lkdtm');
    let ret = 0;
    await run('echo', async () => {
      const fd = await libc.open(DIRECT, O_WRONLY);
      ret = await libc.write(fd, 'NOT_A_TEST\n');
      return libc.close(fd);
    });
    expect(ret).toBe(-22);
  });

  it('crashes at load with cpoint_name=DIRECT cpoint_type=WARNING', async () => {
    const r = await kmod_modprobe('lkdtm', ['cpoint_name=DIRECT', 'cpoint_type=WARNING']);
    expect(r.status).toBe(0);
    expect(dmesg()).toContain('WARNING: CPU: 0');
    expect(dmesg()).toContain('lkdtm: Crash point DIRECT of type WARNING registered\n');
  });

  it('cannot be removed while DIRECT is open', async () => {
    await kmod_modprobe('lkdtm');
    let fd = -1;
    await run('holder', async () => {
      fd = await libc.open(DIRECT, O_RDONLY);
      const busy = await kmod_rmmod(['lkdtm']);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toBe('rmmod: ERROR: Module lkdtm is in use\n');
      await libc.close(fd);
      return 0;
    });
    expect(fd).toBeGreaterThanOrEqual(0);
    expect((await kmod_rmmod(['lkdtm'])).status).toBe(0);
    expect(dmesg()).toContain('lkdtm: Crash point unregistered\n');
  });

  it('refuses half a crash point', async () => {
    const r = await kmod_modprobe('lkdtm', ['cpoint_type=BUG']);
    expect(r.status).toBe(1);
    expect(dmesg()).toContain('lkdtm: Need both cpoint_type and cpoint_name or neither\n');
  });
});
