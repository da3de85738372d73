/**
 * `driver_init()` (drivers/base/init.c): the driver core's boot, and its reset.
 *
 * It forgets every bus, device, driver, deferred probe and managed resource, then
 * registers what the kernel registers at boot: the `platform` root device
 * (`/sys/devices/platform`) and the platform, AMBA and virtio buses. Tests and the
 * machine boot call it; calling it again gives a fresh driver core.
 *
 * @module
 */

import { amba_bustype } from './amba.js';
import { bus_register, buses_reset } from './bus.js';
import { device_add_root, devices_reset } from './core.js';
import { dd_reset } from './dd.js';
import { dev_set_name, device_initialize } from './device.js';
import { devres_reset } from './devres.js';
import { drivers_reset } from './driver.js';
import { platform_bus, platform_bus_type, platform_reset } from './platform.js';
import { virtio_bus, virtio_reset } from './virtio.js';

/** Resets the driver core and registers the boot-time buses and root devices. */
export function driver_init(): void {
  buses_reset();
  drivers_reset();
  devices_reset();
  dd_reset();
  devres_reset();
  platform_reset();
  virtio_reset();

  device_initialize(platform_bus);
  dev_set_name(platform_bus, 'platform');
  // A static device: it is never released, so it needs no release function.
  device_add_root(platform_bus);
  bus_register(platform_bus_type);
  bus_register(amba_bustype);
  bus_register(virtio_bus);
}

driver_init();
