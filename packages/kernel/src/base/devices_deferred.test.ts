import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import { EPROBE_DEFER } from '../errno.js';
import { O_RDONLY } from '../fs/fcntl.js';
import { vfs_init } from '../fs/init.js';
import { filp_close, filp_open } from '../fs/open.js';
import { kernel_read } from '../fs/read_write.js';
import { memcpy_to_js } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { sim_run_until_idle } from '../time/timer.js';
import { dev_err_probe } from './deferred.js';
import { driver_init } from './init.js';
import { platform_device_register_simple, platform_driver_register } from './platform.js';

async function cat(path: string): Promise<string | number> {
  const filp = await filp_open(path, O_RDONLY, 0);
  if (typeof filp === 'number') return filp;
  const buf = kmalloc(4096, GFP_KERNEL);
  const n = await kernel_read(filp, buf, 4096, { value: 0 });
  const text = n >= 0 ? new TextDecoder().decode(memcpy_to_js(buf, n)) : n;
  kfree(buf);
  filp_close(filp);
  return text;
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
});

describe('/sys/kernel/debug/devices_deferred', () => {
  it('lists each waiting device with the reason its driver gave', async () => {
    expect(await cat('/sys/kernel/debug/devices_deferred')).toBe('');
    await platform_driver_register({
      driver: { name: 'foxes' },
      probe: (p) => dev_err_probe(p.dev, -EPROBE_DEFER, 'supply vcc not found\n'),
    });
    await platform_driver_register({ driver: { name: 'badgers' }, probe: () => -EPROBE_DEFER });
    await platform_device_register_simple('foxes', 0);
    await platform_device_register_simple('badgers', 0);
    expect(await cat('/sys/kernel/debug/devices_deferred')).toBe(
      'foxes.0\tsupply vcc not found\nbadgers.0\t\n',
    );
  });

  it('survives driver_init() again', async () => {
    driver_init();
    expect(await cat('/sys/kernel/debug/devices_deferred')).toBe('');
  });
});
