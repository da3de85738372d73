/**
 * Hot-unplug: a device is deleted while a user still holds it (an open file of the
 * char device its driver created holds a reference and the driver's state). The
 * driver is unbound at once — remove() runs, devres are released — but the struct
 * device stays valid until the last put_device(). What the driver freed early is
 * caught by KASAN when the file is used again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { readl, writel } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kzalloc } from '../mm/kmalloc.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import { bus_devices } from './bus.js';
import {
  dev_get_drvdata,
  dev_name,
  dev_set_drvdata,
  type device,
  device_is_registered,
  device_refcount,
  get_device,
  put_device,
} from './device.js';
import { devm_add_action, devm_kzalloc } from './devres.js';
import { driver_init } from './init.js';
import {
  platform_bus_type,
  type platform_device,
  platform_device_add,
  platform_device_alloc,
  platform_device_unregister,
  platform_driver_register,
} from './platform.js';

/** What an open file of the device keeps: a device reference and the driver's state. */
interface open_file {
  dev: device;
  state: number;
}

function open(dev: device): open_file {
  return { dev: get_device(dev), state: dev_get_drvdata<number>(dev) };
}

function read(file: open_file): number {
  return readl(file.state);
}

function close(file: open_file): void {
  put_device(file.dev);
}

let events: string[];

async function plug(driver_state: 'devm' | 'refcounted'): Promise<platform_device> {
  events = [];
  await platform_driver_register({
    driver: { name: 'foxes' },
    probe: (pdev) => {
      const dev = pdev.dev;
      let state: number;
      if (driver_state === 'devm') {
        // The "devm_k*alloc() are a nightmare" pattern: state dies with the binding.
        state = devm_kzalloc(dev, 16, GFP_KERNEL);
      } else {
        // State lives as long as the device: freed from its release.
        state = kzalloc(16, GFP_KERNEL);
        const release = dev.release;
        dev.release = (d) => {
          kfree(state);
          release?.(d);
        };
      }
      writel(42, state);
      dev_set_drvdata(dev, state);
      devm_add_action(dev, () => events.push('cdev_del'), null);
      return 0;
    },
    remove: () => void events.push('remove'),
  });
  const pdev = platform_device_alloc('foxes', 0);
  const release = pdev.dev.release!;
  pdev.dev.release = (d) => {
    events.push('release');
    release(d);
  };
  expect(await platform_device_add(pdev)).toBe(0);
  return pdev;
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true, kasan: true });
  driver_init();
  panic_reset();
  dmesg_clear();
});

describe('hot-unplug with a file open', () => {
  it('unbinds at once, keeps the struct device until the last reference, then releases it', async () => {
    const pdev = await plug('refcounted');
    const file = open(pdev.dev);
    expect(device_refcount(pdev.dev)).toBe(2);

    await platform_device_unregister(pdev);
    // The driver is gone: remove() ran, then its devres, newest first.
    expect(events).toEqual(['remove', 'cdev_del']);
    expect(pdev.dev.driver).toBeNull();
    expect(device_is_registered(pdev.dev)).toBe(false);
    expect(bus_devices(platform_bus_type)).toEqual([]);
    // The device itself is still valid for the file that holds it.
    expect(device_refcount(pdev.dev)).toBe(1);
    expect(dev_name(pdev.dev)).toBe('foxes.0');
    expect(pdev.dev.released).toBe(false);
    expect(read(file)).toBe(42);

    close(file);
    expect(events).toEqual(['remove', 'cdev_del', 'release']);
    expect(pdev.dev.released).toBe(true);
    expect(dmesg()).not.toContain('KASAN');
  });

  it('a driver that kept its state in devm memory is caught by KASAN when the file is read', async () => {
    const pdev = await plug('devm');
    const file = open(pdev.dev);
    await platform_device_unregister(pdev);
    expect(dmesg()).not.toContain('KASAN');
    read(file);
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free in read');
    close(file);
    expect(events).toEqual(['remove', 'cdev_del', 'release']);
  });

  it('a reference taken after the last put is a refcount use-after-free', async () => {
    const pdev = await plug('refcounted');
    const file = open(pdev.dev);
    await platform_device_unregister(pdev);
    close(file);
    get_device(pdev.dev);
    expect(dmesg()).toContain('refcount_t: addition on 0; use-after-free.');
    put_device(pdev.dev);
    // The saturated counter leaks instead of releasing twice.
    expect(events.filter((e) => e === 'release')).toHaveLength(1);
  });
});
