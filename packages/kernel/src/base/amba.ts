/**
 * The AMBA bus (drivers/amba/bus.c): ARM PrimeCell peripherals such as the PL011 UART
 * and the PL061 GPIO controller. A PrimeCell identifies itself: the last 32 bytes of
 * its register window hold its peripheral ID (part number, designer, revision) and
 * the component ID `0xb105f00d`, one byte per 32-bit register. Drivers list the IDs
 * they handle in an `amba_id` table; a device matches an entry when
 * `(periphid & mask) === id`, so one entry covers every revision of a part.
 *
 * The periphid is given when the device is created, or read from the ID registers
 * with `ioremap()` and `readl()` — from the device model registered at that window.
 *
 * @example
 * ```ts
 * import { amba_device_alloc, amba_device_add, amba_driver_register, amba_driver_unregister, amba_device_unregister, amba_manf, amba_part, driver_init, type amba_device, type amba_id } from '@rfl/kernel';
 * # driver_init();
 * const pl061_ids: amba_id[] = [{ id: 0x00041061, mask: 0x000fffff }];
 * const bound: string[] = [];
 * const pl061_gpio_driver = {
 *   drv: { name: 'pl061_gpio' },
 *   id_table: pl061_ids,
 *   probe: (adev: amba_device, id: amba_id) => {
 *     bound.push(`${adev.dev.name}: part ${amba_part(adev).toString(16)} manf ${amba_manf(adev).toString(16)} by ${id.id.toString(16)}`);
 *     return 0;
 *   },
 * };
 * await amba_driver_register(pl061_gpio_driver);
 * const adev = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
 * adev.periphid = 0x00341061; // revision 3: still matched by the mask
 * await amba_device_add(adev) // => 0
 * bound // => ['9030000.pl061: part 61 manf 41 by 41061']
 * await amba_device_unregister(adev);
 * await amba_driver_unregister(pl061_gpio_driver);
 * ```
 *
 * @module
 */

import { ENODEV, ENOMEM, EPROBE_DEFER } from '../errno.js';
import type { attribute_group } from '../fs/sysfs/group.js';
import { ioremap, iounmap } from '../io/mmio.js';
import { type resource, resource_size } from '../io/resource.js';
import { add_uevent_var, type kobj_uevent_env } from '../lib/kobject_uevent.js';
import { readl } from '../mm/access.js';
import { pr_debug } from '../printk.js';
import type { bus_type } from './bus.js';
import { device_add, device_unregister } from './core.js';
import {
  DEVICE_ATTR_RO,
  dev_get_drvdata,
  dev_name,
  dev_set_drvdata,
  dev_set_name,
  device,
  device_initialize,
  type maybe_async,
  put_device,
} from './device.js';
import { type device_driver, driver_register, driver_unregister } from './driver.js';
import { driver_override_attr } from './driver_override.js';
import { platform_bus } from './platform.js';
import { DEFINE_RES_MEM } from './resource.js';

/** The component ID of a PrimeCell (`AMBA_CID`). */
export const AMBA_CID = 0xb105f00d;
/** The component ID of a CoreSight debug component (`CORESIGHT_CID`). */
export const CORESIGHT_CID = 0xb105900d;
/** How many interrupts an AMBA device may list (`AMBA_NR_IRQS`). */
export const AMBA_NR_IRQS = 9;

/** One entry of an AMBA driver's id table (`struct amba_id`). */
export interface amba_id {
  readonly id: number;
  readonly mask: number;
  readonly data?: unknown;
}

/** An AMBA device (`struct amba_device`). */
export class amba_device {
  readonly dev = new device();
  res: resource;
  /** The peripheral ID; 0 until given or read from the ID registers. */
  periphid = 0;
  /** The component ID read with it. */
  cid = 0;
  irq: number[] = [];
  /** When set, only the driver of this name may bind (`driver_override`). */
  driver_override: string | undefined;

  constructor(res: resource) {
    this.res = res;
    this.dev.container = this;
  }
}

/** An AMBA driver (`struct amba_driver`). */
export interface amba_driver {
  readonly drv: device_driver;
  readonly id_table: readonly amba_id[];
  readonly probe?: (adev: amba_device, id: amba_id) => maybe_async<number>;
  readonly remove?: (adev: amba_device) => maybe_async<void>;
  readonly shutdown?: (adev: amba_device) => void;
}

const amba_drivers = new WeakMap<device_driver, amba_driver>();

/** The AMBA device that embeds `dev` (`to_amba_device()`). */
export function to_amba_device(dev: device): amba_device {
  return dev.container as amba_device;
}

/** The AMBA driver that embeds `drv` (`to_amba_driver()`). */
export function to_amba_driver(drv: device_driver): amba_driver {
  return amba_drivers.get(drv)!;
}

/** `amba_get_drvdata()`. */
export function amba_get_drvdata<T = unknown>(adev: amba_device): T {
  return dev_get_drvdata<T>(adev.dev);
}

/** `amba_set_drvdata()`. */
export function amba_set_drvdata(adev: amba_device, data: unknown): void {
  dev_set_drvdata(adev.dev, data);
}

/** Bits 0-11 of the periphid: the part number (`amba_part()`). */
export function amba_part(adev: amba_device): number {
  return adev.periphid & 0xfff;
}

/** Bits 12-19: the designer, 0x41 for ARM (`amba_manf()`). */
export function amba_manf(adev: amba_device): number {
  return (adev.periphid >>> 12) & 0xff;
}

/** Bits 20-23: the revision (`amba_rev()`). */
export function amba_rev(adev: amba_device): number {
  return (adev.periphid >>> 20) & 0xf;
}

/** Bits 24-31: the configuration (`amba_config()`). */
export function amba_config(adev: amba_device): number {
  return (adev.periphid >>> 24) & 0xff;
}

/** The first entry of `table` the device matches, `(periphid & mask) === id` (`amba_lookup()`). */
export function amba_lookup(table: readonly amba_id[], adev: amba_device): amba_id | undefined {
  return table.find((t) => t.mask !== 0 && (adev.periphid & t.mask) >>> 0 === t.id >>> 0);
}

/**
 * Reads the periphid and cid from the last 32 bytes of the window, one byte from each
 * 32-bit register (`amba_read_periphid()`): 0, -ENOMEM when the window cannot be
 * mapped, -ENODEV when it does not answer as a PrimeCell (nothing there reads all
 * ones).
 */
export function amba_read_periphid(adev: amba_device): number {
  const size = resource_size(adev.res);
  const base = ioremap(adev.res.start, size);
  if (!base) return -ENOMEM;
  let pid = 0;
  let cid = 0;
  for (let i = 0; i < 4; i++) pid |= (readl(base + size - 0x20 + 4 * i) & 0xff) << (i * 8);
  for (let i = 0; i < 4; i++) cid |= (readl(base + size - 0x10 + 4 * i) & 0xff) << (i * 8);
  iounmap(base);
  pid >>>= 0;
  cid >>>= 0;
  if (cid === AMBA_CID || cid === CORESIGHT_CID) {
    adev.periphid = pid;
    adev.cid = cid;
  }
  return adev.periphid ? 0 : -ENODEV;
}

function amba_match(dev: device, drv: device_driver): number {
  const adev = to_amba_device(dev);
  const adrv = to_amba_driver(drv);
  // A PrimeCell that cannot be read yet may be unclocked or in reset: the kernel maps
  // every failure to a deferral so that registering the driver does not fail.
  if (!adev.periphid && amba_read_periphid(adev)) return -EPROBE_DEFER;
  if (adev.driver_override !== undefined) return adev.driver_override === drv.name ? 1 : 0;
  return adrv && amba_lookup(adrv.id_table, adev) ? 1 : 0;
}

function amba_uevent(dev: device, env: kobj_uevent_env): number {
  const adev = to_amba_device(dev);
  const ret = add_uevent_var(env, 'AMBA_ID=%08x', adev.periphid);
  if (ret) return ret;
  return add_uevent_var(env, 'MODALIAS=amba:d%08X', adev.periphid);
}

async function amba_probe(dev: device): Promise<number> {
  const adev = to_amba_device(dev);
  const adrv = to_amba_driver(dev.driver!);
  const id = amba_lookup(adrv.id_table, adev);
  if (!adrv.probe || !id) return -ENODEV;
  return adrv.probe(adev, id);
}

async function amba_remove(dev: device): Promise<void> {
  const adrv = to_amba_driver(dev.driver!);
  if (adrv.remove) await adrv.remove(to_amba_device(dev));
}

function amba_shutdown(dev: device): void {
  if (dev.driver) to_amba_driver(dev.driver).shutdown?.(to_amba_device(dev));
}

const hex64 = (n: number) => n.toString(16).padStart(16, '0');

/** The files of every AMBA device (`amba_dev_groups`): `id`, `resource`, `driver_override`. */
const amba_dev_group: attribute_group = {
  attrs: [
    DEVICE_ATTR_RO(
      'id',
      (dev) => `${to_amba_device(dev).periphid.toString(16).padStart(8, '0')}\n`,
    ),
    DEVICE_ATTR_RO('resource', (dev) => {
      const res = to_amba_device(dev).res;
      return `${hex64(res.start)}\t${hex64(res.end)}\t${hex64(res.flags)}\n`;
    }),
    driver_override_attr(to_amba_device),
  ],
};

/** The AMBA bus (`amba_bustype`). */
export const amba_bustype: bus_type = {
  dev_groups: [amba_dev_group],
  name: 'amba',
  match: amba_match,
  uevent: amba_uevent,
  probe: amba_probe,
  remove: amba_remove,
  shutdown: amba_shutdown,
};

function amba_device_release(dev: device): void {
  pr_debug('amba: released %s\n', dev_name(dev));
}

/**
 * A device named `name` with the MMIO window `base`..`base + size - 1`
 * (`amba_device_alloc()`), to be added with {@link amba_device_add}.
 */
export function amba_device_alloc(name: string, base: number, size: number): amba_device {
  const adev = new amba_device(DEFINE_RES_MEM(base, size, name));
  device_initialize(adev.dev);
  if (name) dev_set_name(adev.dev, '%s', name);
  adev.dev.release = amba_device_release;
  adev.dev.coherent_dma_mask = 0xffffffffn;
  adev.dev.dma_mask = 0xffffffffn;
  return adev;
}

/**
 * Adds an AMBA device (`amba_device_add()`): when its periphid was not given it is read
 * from the ID registers now, or at match time if the device cannot be read yet.
 * Devices without a parent go under `/sys/devices/platform`, as the device tree
 * code puts them.
 */
export async function amba_device_add(
  adev: amba_device,
  parent: device | null = null,
): Promise<number> {
  adev.dev.bus = amba_bustype;
  if (parent) adev.dev.parent = parent;
  if (!adev.dev.parent) adev.dev.parent = platform_bus;
  if (!adev.periphid) amba_read_periphid(adev);
  return device_add(adev.dev);
}

/** Initialises and adds a device the caller built (`amba_device_register()`). */
export function amba_device_register(
  adev: amba_device,
  parent: device | null = null,
): Promise<number> {
  device_initialize(adev.dev);
  return amba_device_add(adev, parent);
}

/** Deletes the device and drops its reference (`amba_device_unregister()`). */
export function amba_device_unregister(adev: amba_device): Promise<void> {
  return device_unregister(adev.dev);
}

/** Drops a reference to the device (`amba_device_put()`). */
export function amba_device_put(adev: amba_device): void {
  put_device(adev.dev);
}

/** Registers an AMBA driver (`amba_driver_register()`), probing matching devices. */
export function amba_driver_register(adrv: amba_driver, owner?: unknown): Promise<number> {
  adrv.drv.bus = amba_bustype;
  if (owner !== undefined) adrv.drv.owner = owner;
  amba_drivers.set(adrv.drv, adrv);
  return driver_register(adrv.drv);
}

/** Unregisters an AMBA driver, unbinding its devices (`amba_driver_unregister()`). */
export function amba_driver_unregister(adrv: amba_driver): Promise<void> {
  return driver_unregister(adrv.drv);
}
