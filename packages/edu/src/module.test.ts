import {
  dma_init,
  driver_core_fs_init,
  driver_init,
  io_init,
  irq_init,
  kmod_lsmod,
  kmod_modprobe,
  kmod_rmmod,
  libc,
  mm_init,
  module_reset,
  O_RDWR,
  resource_init,
  sim_spawn,
  vfs_init,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import './index.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  io_init();
  resource_init();
  irq_init();
  dma_init();
  module_reset();
});

describe('the edu module', () => {
  it('is loaded with modprobe, pinned while /dev/edu is open, and removed with rmmod', async () => {
    expect((await kmod_modprobe('edu')).status).toBe(0);
    expect(kmod_lsmod().stdout).toContain('edu                    16384  0\n');
    const seen: (string | number)[] = [];
    const code = await sim_spawn('sh', async () => {
      const fd = await libc.open('/dev/edu', O_RDWR);
      if (fd < 0) return fd;
      seen.push(await libc.write(fd, '5'));
      const r = await libc.read(fd, 16);
      seen.push(typeof r === 'number' ? r : new TextDecoder().decode(r));
      const busy = await kmod_rmmod(['edu']);
      seen.push(busy.status, busy.stderr);
      return libc.close(fd);
    }).exited;
    expect(code).toBe(0);
    expect(seen).toEqual([1, '120\n', 1, 'rmmod: ERROR: Module edu is in use\n']);
    expect((await kmod_rmmod(['edu'])).status).toBe(0);
    expect(kmod_lsmod().stdout).not.toContain('edu');
    const gone = await sim_spawn('sh', async () => libc.open('/dev/edu', O_RDWR)).exited;
    expect(gone).toBeLessThan(0);
  });
});
