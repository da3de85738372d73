/**
 * `driver_init()` (drivers/base/init.c): the driver core's boot, and its reset.
 *
 * It forgets every bus, device, driver, deferred probe and managed resource, then
 * registers what the kernel registers at boot: the uevent hooks of `/sys/devices` and
 * `/sys/bus`, the `platform` root device (`/sys/devices/platform`) and the platform,
 * AMBA and virtio buses. Tests and the machine boot call it after `sysfs_init()`
 * (which it does not call: that would drop every other subsystem's directories);
 * calling it again gives a fresh driver core.
 *
 * @module
 */

import { type kobject, kobject_del } from '../lib/kobject.js';
import { bus_kset, devices_kset } from '../lib/kobject_roots.js';
import { amba_bustype } from './amba.js';
import { bus_list, bus_register, bus_to_subsys, buses_reset, kobj_is_bus } from './bus.js';
import { device_add_root, device_children, device_uevent_ops, devices_reset } from './core.js';
import { dd_reset } from './dd.js';
import { dev_set_name, type device, device_initialize } from './device.js';
import { devres_reset } from './devres.js';
import { driver_to_private, drivers_reset } from './driver.js';
import { platform_bus, platform_bus_type, platform_reset } from './platform.js';
import { virtio_bus, virtio_reset } from './virtio.js';

function quiet_del(kobj: kobject | null | undefined): void {
  if (!kobj) return;
  kobj.uevent_suppress = true;
  kobject_del(kobj);
}

function forget_device(dev: device): void {
  for (const child of device_children(dev).reverse()) forget_device(child);
  quiet_del(dev.kobj);
}

/**
 * Takes the previous driver core's directories out of sysfs, silently: a reset is not
 * a hot-unplug, so no driver callback runs and no uevent goes out.
 */
function driver_core_teardown(): void {
  for (const dev of device_children(null).reverse()) forget_device(dev);
  for (const bus of bus_list()) {
    const sp = bus_to_subsys(bus)!;
    for (const drv of sp.drivers) quiet_del(driver_to_private(drv)?.kobj);
    quiet_del(sp.drivers_kset?.kobj);
    quiet_del(sp.devices_kset?.kobj);
    quiet_del(sp.subsys.kobj);
  }
}

/** Resets the driver core and registers the boot-time buses and root devices. */
export function driver_init(): void {
  driver_core_teardown();
  buses_reset();
  drivers_reset();
  devices_reset();
  dd_reset();
  devres_reset();
  platform_reset();
  virtio_reset();

  devices_kset.uevent_ops = device_uevent_ops;
  bus_kset.uevent_ops = { filter: kobj_is_bus };

  device_initialize(platform_bus);
  dev_set_name(platform_bus, 'platform');
  // A static device: it is never released, so it needs no release function.
  device_add_root(platform_bus);
  bus_register(platform_bus_type);
  bus_register(amba_bustype);
  bus_register(virtio_bus);
}

driver_init();
