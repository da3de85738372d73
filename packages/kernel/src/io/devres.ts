/**
 * Managed MMIO (lib/devres.c): mappings and region claims that are undone when the
 * driver is unbound or its probe fails, in reverse order, like every `devm_*`
 * resource.
 *
 * `devm_ioremap_resource(dev, res)` is what most platform drivers call: it
 * claims the region (`can't request region for resource [mem ...]` and -EBUSY
 * when another driver holds it) and maps it; like the kernel it returns an
 * error pointer, tested with `IS_ERR()`.
 *
 * @module
 */

import { dev_name, type device } from '../base/device.js';
import { devm_add_action_or_reset, devm_release_action } from '../base/devres.js';
import { type platform_device, platform_get_resource } from '../base/platform.js';
import { resource_string, resource_type } from '../base/resource.js';
import { ERR_PTR } from '../err-ptr.js';
import { EBUSY, EINVAL, ENOMEM } from '../errno.js';
import { dev_err } from '../printk.js';
import { ioremap, iounmap } from './mmio.js';
import {
  IORESOURCE_MEM,
  release_mem_region,
  request_mem_region,
  type resource,
  resource_size,
} from './resource.js';

function devm_ioremap_release(addr: number): void {
  iounmap(addr);
}

function devm_region_release(res: resource): void {
  release_mem_region(res.start, resource_size(res));
}

/** `devm_ioremap()`: an ioremap() undone at unbind; 0 on failure. */
export function devm_ioremap(dev: device, offset: number, size: number): number {
  const addr = ioremap(offset, size);
  if (addr === 0) return 0;
  if (devm_add_action_or_reset(dev, devm_ioremap_release, addr)) return 0;
  return addr;
}

/** `devm_iounmap()`: unmaps a devm_ioremap() mapping now. */
export function devm_iounmap(dev: device, addr: number): void {
  devm_release_action(dev, devm_ioremap_release, addr);
}

/** `devm_request_mem_region()`: a request_mem_region() released at unbind. */
export function devm_request_mem_region(
  dev: device,
  start: number,
  n: number,
  name: string,
): resource | null {
  const res = request_mem_region(start, n, name);
  if (res === null) return null;
  if (devm_add_action_or_reset(dev, devm_region_release, res)) return null;
  return res;
}

/**
 * `devm_ioremap_resource()`: claims and maps a memory resource of the device;
 * returns the address or an error pointer (-EINVAL, -EBUSY, -ENOMEM).
 */
export function devm_ioremap_resource(dev: device, res: resource | undefined): number {
  if (res === undefined || resource_type(res) !== IORESOURCE_MEM || resource_size(res) <= 0) {
    dev_err(dev, 'invalid resource %s\n', res === undefined ? '(null)' : resource_string(res));
    return ERR_PTR(-EINVAL);
  }
  const name = res.name || dev_name(dev);
  if (devm_request_mem_region(dev, res.start, resource_size(res), name) === null) {
    dev_err(dev, "can't request region for resource %s\n", resource_string(res));
    return ERR_PTR(-EBUSY);
  }
  const addr = devm_ioremap(dev, res.start, resource_size(res));
  if (addr === 0) {
    dev_err(dev, 'ioremap failed for resource %s\n', resource_string(res));
    return ERR_PTR(-ENOMEM);
  }
  return addr;
}

/** `devm_platform_ioremap_resource()`: the `index`th memory resource of `pdev`, mapped. */
export function devm_platform_ioremap_resource(pdev: platform_device, index: number): number {
  return devm_ioremap_resource(pdev.dev, platform_get_resource(pdev, IORESOURCE_MEM, index));
}
