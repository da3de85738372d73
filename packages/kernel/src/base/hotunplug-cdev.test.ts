/**
 * Hot-unplug with a real character device: a platform driver registers a misc device
 * in probe (undone by a devm action), a file of `/dev/foxes` is opened through the VFS,
 * the platform device goes away while the file is open, and the file is read and
 * closed afterwards. The driver core unbinds at once; what the file may still touch
 * depends on where the driver kept its state.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import {
  MISC_DYNAMIC_MINOR,
  misc_deregister,
  misc_register,
  type miscdevice,
} from '../drivers/char/misc.js';
import { ENODEV, ENOENT } from '../errno.js';
import { O_RDONLY } from '../fs/fcntl.js';
import { task_work_run } from '../fs/file_table.js';
import type { file, file_operations } from '../fs/fs.js';
import { vfs_init } from '../fs/init.js';
import { copy_to_iter } from '../fs/iov_iter.js';
import { filp_close, filp_open } from '../fs/open.js';
import { kernel_read } from '../fs/read_write.js';
import { sysfs_readdir } from '../fs/sysfs/access.js';
import { memcpy_to_js, readl, writel } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc, kzalloc } from '../mm/kmalloc.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import { type device, get_device, put_device } from './device.js';
import { devm_add_action, devm_kzalloc } from './devres.js';
import { driver_init } from './init.js';
import {
  type platform_device,
  platform_device_add,
  platform_device_alloc,
  platform_device_unregister,
  platform_driver_register,
} from './platform.js';

/** The file's view: the device it holds and the driver's state. */
interface fox_file {
  dev: device;
  state: number;
}

let log: string[];
/** Set by remove(): the hardware is gone, files must stop using it. */
let unplugged: boolean;

function fox_fops(
  kind: 'devm' | 'refcounted',
  state_of: () => number,
  dev_of: () => device,
): file_operations {
  return {
    open: (_inode, filp: file) => {
      filp.private_data = { dev: get_device(dev_of()), state: state_of() } satisfies fox_file;
      return 0;
    },
    read_iter: (iocb, to) => {
      const f = iocb.ki_filp.private_data as fox_file;
      // The careful driver checks whether its device is still there; the careless one
      // trusts memory whose lifetime ended with the binding.
      if (kind === 'refcounted' && unplugged) return -ENODEV;
      return copy_to_iter(new TextEncoder().encode(`foxes: ${readl(f.state)}\n`), to);
    },
    release: (_inode, filp: file) => {
      log.push('release');
      put_device((filp.private_data as fox_file).dev);
      return 0;
    },
  };
}

async function plug(kind: 'devm' | 'refcounted'): Promise<platform_device> {
  let state = 0;
  let bound: device | null = null;
  const misc: miscdevice = {
    minor: MISC_DYNAMIC_MINOR,
    name: 'foxes',
    fops: fox_fops(
      kind,
      () => state,
      () => bound!,
    ),
  };
  await platform_driver_register({
    driver: { name: 'foxes' },
    probe: (pdev) => {
      const dev = pdev.dev;
      bound = dev;
      if (kind === 'devm') {
        state = devm_kzalloc(dev, 16, GFP_KERNEL);
      } else {
        // The state lives as long as the struct device: freed by its release.
        state = kzalloc(16, GFP_KERNEL);
        const s = state;
        const release = dev.release!;
        dev.release = (d) => {
          log.push('device released');
          kfree(s);
          release(d);
        };
      }
      writel(3, state);
      const registered: miscdevice = { ...misc, parent: dev.kobj };
      const err = misc_register(registered);
      if (err) return err;
      return devm_add_action(
        dev,
        (m) => {
          log.push('misc_deregister');
          misc_deregister(m);
        },
        registered,
      );
    },
    remove: () => {
      log.push('remove');
      unplugged = true;
    },
  });
  const pdev = platform_device_alloc('foxes', 0);
  expect(await platform_device_add(pdev)).toBe(0);
  return pdev;
}

async function read(filp: file): Promise<string | number> {
  const buf = kmalloc(64, GFP_KERNEL);
  const n = await kernel_read(filp, buf, 64, { value: 0 });
  const text = n > 0 ? new TextDecoder().decode(memcpy_to_js(buf, n)) : n;
  kfree(buf);
  return text;
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true, kasan: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  panic_reset();
  dmesg_clear();
  log = [];
  unplugged = false;
});

describe('unplugging a device whose /dev node is open', () => {
  it('unbinds at once and keeps the device for the open file until it is closed', async () => {
    const pdev = await plug('refcounted');
    const filp = await filp_open('/dev/foxes', O_RDONLY, 0);
    if (typeof filp === 'number') throw new Error(`open: ${filp}`);
    expect(await read(filp)).toBe('foxes: 3\n');

    await platform_device_unregister(pdev);
    expect(log).toEqual(['remove', 'misc_deregister']);
    // The node and the directories are gone; the open file is not.
    expect(await filp_open('/dev/foxes', O_RDONLY, 0)).toBe(-ENOENT);
    expect(sysfs_readdir('/sys/devices/platform/foxes.0')).toBe(-ENOENT);
    expect(pdev.dev.released).toBe(false);
    expect(await read(filp)).toBe(-ENODEV);

    filp_close(filp);
    await task_work_run();
    expect(log).toEqual(['remove', 'misc_deregister', 'release', 'device released']);
    expect(dmesg()).not.toContain('KASAN');
  });

  it('a driver that kept the file state in devm memory is a KASAN use-after-free on read', async () => {
    const pdev = await plug('devm');
    const filp = await filp_open('/dev/foxes', O_RDONLY, 0);
    if (typeof filp === 'number') throw new Error(`open: ${filp}`);
    await platform_device_unregister(pdev);
    expect(dmesg()).not.toContain('KASAN');
    await read(filp);
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free in read_iter');
    filp_close(filp);
    await task_work_run();
    expect(log).toEqual(['remove', 'misc_deregister', 'release']);
    expect(pdev.dev.released).toBe(true);
  });
});
