import { beforeEach, describe, expect, it } from 'vitest';
import { EAGAIN, EBUSY, EINVAL, ENODEV, ENOMEM, ENXIO, EPROBE_DEFER } from '../errno.js';
import { lockdep_reset } from '../locking/lockdep.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg_clear, dmesg_records } from '../printk.js';
import { sim_spawn } from '../sched/core.js';
import { msleep, sim_advance, sim_run_until_idle } from '../time/timer.js';
import {
  bus_devices,
  bus_register,
  bus_set_drivers_autoprobe,
  type bus_type,
  bus_unregister,
} from './bus.js';
import { device_add, device_del, device_register, device_unregister } from './core.js';
import {
  dev_err_probe,
  device_attach,
  device_bind_driver,
  device_driver_attach,
  device_driver_detach,
  device_release_driver,
  devices_deferred_show,
  driver_attach,
  wait_for_device_probe,
} from './dd.js';
import {
  dev_name,
  dev_set_name,
  device,
  device_initialize,
  device_is_bound,
  device_refcount,
  put_device,
} from './device.js';
import { devm_add_action } from './devres.js';
import {
  type device_driver,
  driver_devices,
  driver_register,
  driver_unregister,
} from './driver.js';
import { driver_init } from './init.js';

/** A bus that matches by name prefix: driver "fox" takes devices "fox0", "fox1". */
const fox_bus: bus_type = {
  name: 'fox',
  match: (dev, drv) => (dev_name(dev).startsWith(drv.name) ? 1 : 0),
};

function fox_device(name: string): device {
  const dev = new device();
  dev.init_name = name;
  dev.bus = fox_bus;
  dev.release = () => {};
  return dev;
}

function texts(level?: number): string[] {
  return dmesg_records()
    .filter((r) => level === undefined || r.level === level)
    .map((r) => r.text);
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  driver_init();
  bus_register(fox_bus);
  lockdep_reset();
  panic_reset();
  dmesg_clear();
});

describe('binding', () => {
  it('registering a driver probes every matching unbound device of its bus', async () => {
    const probed: string[] = [];
    const a = fox_device('fox0');
    const b = fox_device('fox1');
    const c = fox_device('badger0');
    for (const d of [a, b, c]) expect(await device_register(d)).toBe(0);
    const drv: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: (d) => {
        probed.push(dev_name(d));
        return 0;
      },
    };
    expect(await driver_register(drv)).toBe(0);
    expect(probed).toEqual(['fox0', 'fox1']);
    expect(a.driver).toBe(drv);
    expect(c.driver).toBeNull();
    expect(driver_devices(drv).map(dev_name)).toEqual(['fox0', 'fox1']);
  });

  it('adding a device probes the registered drivers, first match wins', async () => {
    const order: string[] = [];
    const d1: device_driver = {
      name: 'fo',
      bus: fox_bus,
      probe: () => {
        order.push('fo');
        return -ENODEV;
      },
    };
    const d2: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: () => {
        order.push('fox');
        return 0;
      },
    };
    const d3: device_driver = {
      name: 'f',
      bus: fox_bus,
      probe: () => {
        order.push('f');
        return 0;
      },
    };
    await driver_register(d1);
    await driver_register(d2);
    await driver_register(d3);
    const dev = fox_device('fox7');
    await device_register(dev);
    expect(order).toEqual(['fo', 'fox']);
    expect(dev.driver).toBe(d2);
    // -ENODEV is a rejected match: only a debug message.
    expect(texts(3)).toEqual([]);
    expect(texts(7)).toContain('fo fox7: probe with driver fo rejects match -19');
  });

  it('a failed probe leaves the device unbound and says so at KERN_ERR', async () => {
    const dev = fox_device('fox0');
    await device_register(dev);
    const released: string[] = [];
    const drv: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: (d) => {
        devm_add_action(d, (what) => released.push(what), 'clk');
        return -EINVAL;
      },
    };
    expect(await driver_register(drv)).toBe(0);
    expect(dev.driver).toBeNull();
    expect(device_is_bound(dev)).toBe(false);
    expect(dev.driver_data).toBeUndefined();
    expect(released).toEqual(['clk']);
    expect(texts(3)).toEqual(['fox fox0: probe with driver fox failed with error -22']);
  });

  it('-ENXIO is silent like -ENODEV', async () => {
    await device_register(fox_device('fox0'));
    await driver_register({ name: 'fox', bus: fox_bus, probe: () => -ENXIO });
    expect(texts(3)).toEqual([]);
  });

  it('the bus probe is called instead of the driver probe', async () => {
    const calls: string[] = [];
    const wrapping: bus_type = {
      name: 'wrap',
      probe: (d) => {
        calls.push(`bus:${dev_name(d)}`);
        return 0;
      },
      remove: (d) => void calls.push(`bus-remove:${dev_name(d)}`),
    };
    bus_register(wrapping);
    const drv: device_driver = {
      name: 'w',
      bus: wrapping,
      probe: () => {
        calls.push('drv');
        return 0;
      },
    };
    await driver_register(drv);
    expect(texts(4)).toEqual(["Driver 'w' needs updating - please use bus_type methods"]);
    const dev = new device();
    dev.init_name = 'w0';
    dev.bus = wrapping;
    dev.release = () => {};
    await device_register(dev);
    await device_unregister(dev);
    expect(calls).toEqual(['bus:w0', 'bus-remove:w0']);
  });

  it('refuses a second driver of the same name, and a driver of an unregistered bus', async () => {
    await driver_register({ name: 'fox', bus: fox_bus });
    expect(await driver_register({ name: 'fox', bus: fox_bus })).toBe(-EBUSY);
    expect(texts(3)).toEqual(["Error: Driver 'fox' is already registered, aborting..."]);
    const ghost: bus_type = { name: 'ghost' };
    expect(await driver_register({ name: 'g', bus: ghost })).toBe(-EINVAL);
    expect(texts(3).at(-1)).toBe(
      "Driver 'g' was unable to register with bus_type 'ghost' because the bus was not initialized.",
    );
  });

  it('unregistering a driver removes it from every device, newest first', async () => {
    const removed: string[] = [];
    const drv: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: () => 0,
      remove: (d) => void removed.push(dev_name(d)),
    };
    await driver_register(drv);
    const a = fox_device('fox0');
    const b = fox_device('fox1');
    await device_register(a);
    await device_register(b);
    await driver_unregister(drv);
    expect(removed).toEqual(['fox1', 'fox0']);
    expect(a.driver).toBeNull();
    expect(b.driver).toBeNull();
    // The devices stay on the bus, ready for the next driver.
    expect(bus_devices(fox_bus).map(dev_name)).toEqual(['fox0', 'fox1']);
  });

  it('device_release_driver runs remove, then the devres newest first', async () => {
    const order: string[] = [];
    const drv: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: (d) => {
        devm_add_action(d, () => order.push('irq'), null);
        devm_add_action(d, () => order.push('chardev'), null);
        return 0;
      },
      remove: () => void order.push('remove'),
    };
    await driver_register(drv);
    const dev = fox_device('fox0');
    await device_register(dev);
    await device_release_driver(dev);
    expect(order).toEqual(['remove', 'chardev', 'irq']);
    expect(dev.driver).toBeNull();
  });

  it('device_attach binds an unbound device; device_driver_attach reports errors', async () => {
    bus_set_drivers_autoprobe(fox_bus, false);
    let result = 0;
    const drv: device_driver = { name: 'fox', bus: fox_bus, probe: () => result };
    await driver_register(drv);
    const dev = fox_device('fox0');
    await device_register(dev);
    expect(dev.driver).toBeNull();
    result = -EINVAL;
    expect(await device_driver_attach(drv, dev)).toBe(-EINVAL);
    result = -EPROBE_DEFER;
    expect(await device_driver_attach(drv, dev)).toBe(-EAGAIN);
    result = 0;
    expect(await device_attach(dev)).toBe(1);
    expect(await device_driver_attach(drv, dev)).toBe(-EBUSY);
    expect(await device_attach(dev)).toBe(1);
    await device_driver_detach(dev);
    expect(dev.driver).toBeNull();
    expect(await driver_attach(drv)).toBe(0);
    expect(dev.driver).toBe(drv);
  });

  it('device_bind_driver binds without probing', async () => {
    let probes = 0;
    const drv: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: () => {
        probes++;
        return 0;
      },
    };
    bus_set_drivers_autoprobe(fox_bus, false);
    await driver_register(drv);
    const dev = fox_device('fox0');
    await device_register(dev);
    dev.driver = drv;
    expect(device_bind_driver(dev)).toBe(0);
    expect(device_is_bound(dev)).toBe(true);
    expect(driver_devices(drv)).toEqual([dev]);
    expect(probes).toBe(0);
  });

  it('no driver binds to a deleted device', async () => {
    const dev = fox_device('fox0');
    await device_register(dev);
    await device_del(dev);
    const drv: device_driver = { name: 'fox', bus: fox_bus, probe: () => 0 };
    await driver_register(drv);
    expect(await device_driver_attach(drv, dev)).toBe(-ENODEV);
    expect(dev.driver).toBeNull();
    put_device(dev);
  });

  it('refuses to probe a device that already holds resources', async () => {
    const dev = fox_device('fox0');
    await device_register(dev);
    devm_add_action(dev, () => {}, null);
    await driver_register({ name: 'fox', bus: fox_bus, probe: () => 0 });
    expect(dev.driver).toBeNull();
    expect(texts(2)).toEqual(['fox fox0: Resources present before probing']);
  });

  it('a probe that sleeps holds the device lock against a concurrent unbind', async () => {
    const order: string[] = [];
    const drv: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: async () => {
        order.push('probe start');
        await msleep(10);
        order.push('probe end');
        return 0;
      },
      remove: () => void order.push('remove'),
    };
    const dev = fox_device('fox0');
    await device_register(dev);
    const prober = sim_spawn('modprobe', async () => driver_register(drv));
    await sim_advance(1);
    const unbinder = sim_spawn('sh', async () => {
      await device_release_driver(dev);
      return 0;
    });
    await sim_advance(20);
    await prober.exited;
    await unbinder.exited;
    expect(order).toEqual(['probe start', 'probe end', 'remove']);
    expect(dev.driver).toBeNull();
  });
});

describe('deferred probe', () => {
  it('-EPROBE_DEFER is not a failure: the device waits and is retried when another driver binds', async () => {
    let clock_ready = false;
    const consumer: device_driver = {
      name: 'fox',
      bus: fox_bus,
      probe: (d) =>
        clock_ready ? 0 : dev_err_probe(d, -EPROBE_DEFER, 'clock %s not ready\n', 'fox_clk'),
    };
    const supplier: device_driver = {
      name: 'clk',
      bus: fox_bus,
      probe: () => {
        clock_ready = true;
        return 0;
      },
    };
    const fox = fox_device('fox0');
    await device_register(fox);
    await driver_register(consumer);
    expect(fox.driver).toBeNull();
    expect(texts(3)).toEqual([]);
    expect(devices_deferred_show()).toBe('fox0\tclock fox_clk not ready\n');
    expect(texts(7)).toContain('fox fox0: Driver fox requests probe deferral');
    expect(texts(7)).toContain('fox fox0: Added to deferred list');

    await device_register(fox_device('clk0'));
    await driver_register(supplier);
    await wait_for_device_probe();
    expect(fox.driver).toBe(consumer);
    expect(devices_deferred_show()).toBe('');
    expect(texts(7)).toContain('fox fox0: Retrying from deferred list');
  });

  it('a deferred device that is deleted leaves the list', async () => {
    const dev = fox_device('fox0');
    await device_register(dev);
    await driver_register({ name: 'fox', bus: fox_bus, probe: () => -EPROBE_DEFER });
    expect(devices_deferred_show()).toBe('fox0\t\n');
    await device_unregister(dev);
    expect(devices_deferred_show()).toBe('');
  });

  it('a bus match that defers queues the device without probing', async () => {
    let ready = false;
    const lazy: bus_type = { name: 'lazy', match: () => (ready ? 1 : -EPROBE_DEFER) };
    bus_register(lazy);
    let probes = 0;
    await driver_register({
      name: 'l',
      bus: lazy,
      probe: () => {
        probes++;
        return 0;
      },
    });
    const dev = new device();
    dev.init_name = 'lazy0';
    dev.bus = lazy;
    dev.release = () => {};
    await device_register(dev);
    expect(probes).toBe(0);
    expect(devices_deferred_show()).toBe('lazy0\t\n');
    ready = true;
    // Any binding anywhere retries the deferred devices.
    await device_register(fox_device('fox0'));
    await driver_register({ name: 'fox', bus: fox_bus, probe: () => 0 });
    await wait_for_device_probe();
    expect(probes).toBe(1);
    expect(dev.driver?.name).toBe('l');
  });
});

describe('dev_err_probe', () => {
  it('logs errors with their name, nothing for -ENOMEM, and returns the error', () => {
    const dev = fox_device('fox0');
    device_initialize(dev);
    dev_set_name(dev, 'fox0');
    expect(dev_err_probe(dev, -EINVAL, 'bad irq %d\n', 5)).toBe(-EINVAL);
    expect(dev_err_probe(dev, -ENOMEM, 'no memory\n')).toBe(-ENOMEM);
    expect(texts()).toEqual(['fox fox0: error -EINVAL: bad irq 5']);
  });
});

describe('device lifetime', () => {
  it('device_add names from bus.dev_name and id, and refuses duplicates in a directory', async () => {
    const numbered: bus_type = { name: 'num', dev_name: 'num' };
    bus_register(numbered);
    const a = new device();
    device_initialize(a);
    a.bus = numbered;
    a.id = 3;
    a.release = () => {};
    expect(await device_add(a)).toBe(0);
    expect(dev_name(a)).toBe('num3');
    const b = new device();
    device_initialize(b);
    b.bus = numbered;
    b.id = 3;
    b.release = () => {};
    expect(await device_add(b)).toBe(-17);
    expect(texts(4)[0]).toBe("sysfs: cannot create duplicate filename '/devices/num3'");
    expect(texts(3)).toContain(
      "kobject_add_internal failed for num3 with -EEXIST, don't try to register things with the same name in the same directory.",
    );
    put_device(b);
    expect(device_refcount(b)).toBe(0);
    const nameless = new device();
    device_initialize(nameless);
    nameless.release = () => {};
    expect(await device_add(nameless)).toBe(-EINVAL);
  });

  it('a device without release() is a bug the last put_device warns about', () => {
    const dev = new device();
    device_initialize(dev);
    dev_set_name(dev, 'fox0');
    put_device(dev);
    expect(texts()).toContain(
      "Device 'fox0' does not have a release() function, it is broken and must be fixed. See Documentation/core-api/kobject.rst.",
    );
  });

  it('bus_unregister forgets the bus', async () => {
    bus_unregister(fox_bus);
    expect(await driver_register({ name: 'fox', bus: fox_bus })).toBe(-EINVAL);
  });
});
