/**
 * Managed MMIO (lib/devres.c, kernel/resource.c, drivers/base/platform.c): the calls
 * with which a probe claims and maps its registers in one line, undone by the driver
 * core on unbind.
 *
 * `devm_ioremap_resource()` claims the window in `/proc/iomem` under the name
 * `"<dev> <resource name>"` and maps it; it returns the mapping or an `ERR_PTR`
 * (`-EINVAL` for a missing or non-memory resource, `-EBUSY` when another driver
 * holds the window, `-ENOMEM` when it cannot be mapped), having printed why.
 *
 * @example
 * ```ts
 * import { DEFINE_RES_MEM, IS_ERR, devm_platform_ioremap_resource, driver_init, io_init, platform_device_register_simple, platform_driver_register, readl, resource_init, sim_mmio_register, type platform_device } from '@rfl/kernel';
 * # io_init();
 * # resource_init();
 * # driver_init();
 * sim_mmio_register(0x9100000, 0x1000, 'fox-regs', { read: () => 0xf0c5, write: () => {} });
 * const ids: number[] = [];
 * await platform_driver_register({
 *   driver: { name: 'foxes' },
 *   probe: (pdev: platform_device) => {
 *     const regs = devm_platform_ioremap_resource(pdev, 0);
 *     if (IS_ERR(regs)) return regs;
 *     ids.push(readl(regs));
 *     return 0;
 *   },
 * });
 * await platform_device_register_simple('foxes', 0, [DEFINE_RES_MEM(0x9100000, 0x1000)]);
 * ids // => [0xf0c5]
 * ```
 *
 * @module
 */

import { ERR_PTR } from '../err-ptr.js';
import { EBUSY, EINVAL, ENOMEM } from '../errno.js';
import { ioremap, iounmap } from '../io/mmio.js';
import {
  IORESOURCE_MEM,
  release_mem_region,
  request_mem_region,
  type resource,
  resource_size,
} from '../io/resource.js';
import { WARN_ON } from '../panic.js';
import { dev_err } from '../printk.js';
import { dev_name, type device } from './device.js';
import { devm_add_action, devm_remove_action } from './devres.js';
import { type platform_device, platform_get_resource } from './platform.js';
import { resource_string, resource_type } from './resource.js';

function devm_ioremap_release(addr: number): void {
  iounmap(addr);
}

/** `ioremap()` undone on unbind (`devm_ioremap()`); 0 when it cannot map. */
export function devm_ioremap(dev: device, offset: number, size: number): number {
  const addr = ioremap(offset, size);
  if (!addr) return 0;
  if (devm_add_action(dev, devm_ioremap_release, addr)) {
    iounmap(addr);
    return 0;
  }
  return addr;
}

/** Unmaps a {@link devm_ioremap} mapping early (`devm_iounmap()`). */
export function devm_iounmap(dev: device, addr: number): void {
  devm_remove_action(dev, devm_ioremap_release, addr);
  iounmap(addr);
}

interface region {
  readonly start: number;
  readonly n: number;
}

function devm_region_release(r: region): void {
  release_mem_region(r.start, r.n);
}

const regions = new WeakMap<device, region[]>();

/** `request_mem_region()` released on unbind (`devm_request_mem_region()`); null when taken. */
export function devm_request_mem_region(
  dev: device,
  start: number,
  n: number,
  name: string,
): resource | null {
  const res = request_mem_region(start, n, name);
  if (!res) return null;
  const r: region = { start, n };
  if (devm_add_action(dev, devm_region_release, r)) {
    release_mem_region(start, n);
    return null;
  }
  regions.set(dev, [...(regions.get(dev) ?? []), r]);
  return res;
}

/** Releases a {@link devm_request_mem_region} claim early (`devm_release_mem_region()`). */
export function devm_release_mem_region(dev: device, start: number, n: number): void {
  const list = regions.get(dev) ?? [];
  const r = list.find((x) => x.start === start && x.n === n);
  if (WARN_ON(!r)) return;
  list.splice(list.indexOf(r!), 1);
  devm_remove_action(dev, devm_region_release, r!);
  release_mem_region(start, n);
}

/**
 * Claims and maps a memory resource (`devm_ioremap_resource()`): the mapping, or an
 * `ERR_PTR` after `invalid resource`, `can't request region for resource` or
 * `ioremap failed for resource`.
 */
export function devm_ioremap_resource(dev: device, res: resource | undefined): number {
  if (!res || resource_type(res) !== IORESOURCE_MEM) {
    dev_err(dev, 'invalid resource %s\n', res ? resource_string(res) : '(null)');
    return ERR_PTR(-EINVAL);
  }
  const size = resource_size(res);
  const pretty_name = res.name ? `${dev_name(dev)} ${res.name}` : dev_name(dev);
  if (!devm_request_mem_region(dev, res.start, size, pretty_name)) {
    dev_err(dev, "can't request region for resource %s\n", resource_string(res));
    return ERR_PTR(-EBUSY);
  }
  const addr = devm_ioremap(dev, res.start, size);
  if (!addr) {
    dev_err(dev, 'ioremap failed for resource %s\n', resource_string(res));
    devm_release_mem_region(dev, res.start, size);
    return ERR_PTR(-ENOMEM);
  }
  return addr;
}

/**
 * Maps the device's `index`th memory resource and hands the resource back in `out`
 * (`devm_platform_get_and_ioremap_resource()`).
 */
export function devm_platform_get_and_ioremap_resource(
  pdev: platform_device,
  index: number,
  out?: { res?: resource },
): number {
  const r = platform_get_resource(pdev, IORESOURCE_MEM, index);
  if (out) out.res = r;
  return devm_ioremap_resource(pdev.dev, r);
}

/** Maps the device's `index`th memory resource (`devm_platform_ioremap_resource()`). */
export function devm_platform_ioremap_resource(pdev: platform_device, index: number): number {
  return devm_platform_get_and_ioremap_resource(pdev, index);
}
