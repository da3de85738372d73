/**
 * `driver_override` (drivers/base/driver.c `driver_set_override()`): a device attribute
 * naming the only driver allowed to bind the device, whatever the id tables say. It is
 * how `vfio-platform` takes a device from its usual driver:
 *
 * ```sh
 * echo vfio-platform > /sys/bus/platform/devices/foxes.0/driver_override
 * echo foxes.0 > /sys/bus/platform/drivers/foxes/unbind
 * echo foxes.0 > /sys/bus/platform/drivers_probe
 * ```
 *
 * @module
 */

import { EINVAL } from '../errno.js';
import { PAGE_SIZE } from '../mm/layout.js';
import { DEVICE_ATTR_RW, type device, type device_attribute } from './device.js';

/** What has a `driver_override`: a platform or AMBA device. */
export interface driver_override_holder {
  driver_override: string | undefined;
}

/**
 * Sets the override from what was written (`driver_set_override()`): up to the first
 * newline; an empty string or a lone newline clears it. 0, or -EINVAL when too long.
 */
export function driver_set_override(holder: driver_override_holder, buf: string): number {
  if (Buffer.byteLength(buf) >= PAGE_SIZE - 1) return -EINVAL;
  const s = buf.split('\0')[0] ?? '';
  const nl = s.indexOf('\n');
  const value = nl >= 0 ? s.slice(0, nl) : s;
  holder.driver_override = value ? value : undefined;
  return 0;
}

/**
 * The `driver_override` attribute of devices whose bus structure `holder_of(dev)`
 * returns: it reads `(null)` when unset, as the kernel's `%s` of NULL does.
 */
export function driver_override_attr(
  holder_of: (dev: device) => driver_override_holder,
): device_attribute {
  return DEVICE_ATTR_RW(
    'driver_override',
    (dev) => `${holder_of(dev).driver_override ?? '(null)'}\n`,
    (dev, _attr, buf) => driver_set_override(holder_of(dev), buf) || buf.length,
  );
}
