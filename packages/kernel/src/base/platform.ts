/**
 * The platform bus (drivers/base/platform.c): devices that sit at fixed addresses on
 * the SoC, described by their name, an instance id and their resources (MMIO windows
 * and interrupts), matched to drivers by name or by the driver's `id_table`.
 *
 * Platform devices live under `/sys/devices/platform/` and are named `<name>.<id>`,
 * `<name>` for `PLATFORM_DEVID_NONE`, or `<name>.<n>.auto` for `PLATFORM_DEVID_AUTO`.
 * Adding one claims its MMIO windows: a second device over the same registers is
 * refused with `failed to claim resource`.
 *
 * @example
 * ```ts
 * import { DEFINE_RES_MEM, platform_device_register_simple, platform_device_unregister, platform_driver_register, platform_driver_unregister, platform_get_resource, IORESOURCE_MEM, driver_init, type platform_device } from '@rfl/kernel';
 * # driver_init();
 * const seen: string[] = [];
 * const foxes_driver = {
 *   driver: { name: 'foxes' },
 *   probe: (pdev: platform_device) => {
 *     const mem = platform_get_resource(pdev, IORESOURCE_MEM, 0);
 *     seen.push(`${pdev.dev.name} at 0x${mem?.start.toString(16)}`);
 *     return 0;
 *   },
 * };
 * await platform_driver_register(foxes_driver) // => 0
 * const pdev = await platform_device_register_simple('foxes', 0, [DEFINE_RES_MEM(0x9000000, 0x1000)]);
 * seen // => ['foxes.0 at 0x9000000']
 * if (typeof pdev !== 'number') await platform_device_unregister(pdev);
 * await platform_driver_unregister(foxes_driver);
 * ```
 *
 * @module
 */

import { EBUSY, EINVAL, ENXIO, EPROBE_DEFER } from '../errno.js';
import type { attribute_group } from '../fs/sysfs/group.js';
import { IORESOURCE_MEM, type resource } from '../io/resource.js';
import { add_uevent_var, type kobj_uevent_env } from '../lib/kobject_uevent.js';
import { WARN } from '../panic.js';
import { dev_err, dev_warn, pr_debug } from '../printk.js';
import type { bus_type } from './bus.js';
import { device_add, device_del } from './core.js';
import { dev_err_probe } from './dd.js';
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
import {
  IORESOURCE_IO,
  IORESOURCE_IRQ,
  resource_overlaps,
  resource_string,
  resource_type,
} from './resource.js';

/** The device is the only one of its name: no `.<id>` suffix. */
export const PLATFORM_DEVID_NONE = -1;
/** The core picks the id and names the device `<name>.<id>.auto`. */
export const PLATFORM_DEVID_AUTO = -2;
/** The prefix of a platform device's `MODALIAS`. */
export const PLATFORM_MODULE_PREFIX = 'platform:';

/** One entry of a platform driver's id table (`struct platform_device_id`). */
export interface platform_device_id {
  readonly name: string;
  readonly driver_data?: unknown;
}

/** A platform device (`struct platform_device`). */
export class platform_device {
  name: string;
  id: number;
  /** The id came from `PLATFORM_DEVID_AUTO`. */
  id_auto = false;
  readonly dev = new device();
  resource: resource[] = [];
  /** The id-table entry that matched, set by the bus's match. */
  id_entry: platform_device_id | undefined;
  /** When set, only the driver of this name may bind (`driver_override`). */
  driver_override: string | undefined;

  constructor(name: string, id: number) {
    this.name = name;
    this.id = id;
    this.dev.container = this;
  }

  get num_resources(): number {
    return this.resource.length;
  }
}

/** A platform driver (`struct platform_driver`). */
export interface platform_driver {
  readonly driver: device_driver;
  readonly id_table?: readonly platform_device_id[];
  readonly probe?: (pdev: platform_device) => maybe_async<number>;
  readonly remove?: (pdev: platform_device) => maybe_async<void>;
  readonly shutdown?: (pdev: platform_device) => void;
  /** The driver cannot retry: a deferral becomes -ENXIO with a warning. */
  readonly prevent_deferred_probe?: boolean;
}

const platform_drivers = new WeakMap<device_driver, platform_driver>();

/** The platform device that embeds `dev` (`to_platform_device()`). */
export function to_platform_device(dev: device): platform_device {
  return dev.container as platform_device;
}

/** The platform driver that embeds `drv` (`to_platform_driver()`). */
export function to_platform_driver(drv: device_driver): platform_driver {
  return platform_drivers.get(drv)!;
}

/** `platform_get_drvdata()`. */
export function platform_get_drvdata<T = unknown>(pdev: platform_device): T {
  return dev_get_drvdata<T>(pdev.dev);
}

/** `platform_set_drvdata()`. */
export function platform_set_drvdata(pdev: platform_device, data: unknown): void {
  dev_set_drvdata(pdev.dev, data);
}

function platform_match_id(
  table: readonly platform_device_id[],
  pdev: platform_device,
): platform_device_id | undefined {
  return table.find((id) => id.name === pdev.name);
}

function platform_match(dev: device, drv: device_driver): number {
  const pdev = to_platform_device(dev);
  const pdrv = to_platform_driver(drv);
  if (pdev.driver_override !== undefined) return pdev.driver_override === drv.name ? 1 : 0;
  if (pdrv?.id_table) {
    const id = platform_match_id(pdrv.id_table, pdev);
    if (id) pdev.id_entry = id;
    return id ? 1 : 0;
  }
  return pdev.name === drv.name ? 1 : 0;
}

function platform_uevent(dev: device, env: kobj_uevent_env): number {
  return add_uevent_var(env, 'MODALIAS=%s%s', PLATFORM_MODULE_PREFIX, to_platform_device(dev).name);
}

async function platform_probe(dev: device): Promise<number> {
  const drv = to_platform_driver(dev.driver!);
  let ret = drv.probe ? await drv.probe(to_platform_device(dev)) : 0;
  if (drv.prevent_deferred_probe && ret === -EPROBE_DEFER) {
    dev_warn(dev, 'probe deferral not supported\n');
    ret = -ENXIO;
  }
  return ret;
}

async function platform_remove(dev: device): Promise<void> {
  const drv = to_platform_driver(dev.driver!);
  if (drv.remove) await drv.remove(to_platform_device(dev));
}

function platform_shutdown(dev: device): void {
  const drv = dev.driver ? to_platform_driver(dev.driver) : undefined;
  drv?.shutdown?.(to_platform_device(dev));
}

/** The files of every platform device (`platform_dev_groups`). */
const platform_dev_group: attribute_group = {
  attrs: [
    DEVICE_ATTR_RO(
      'modalias',
      (dev) => `${PLATFORM_MODULE_PREFIX}${to_platform_device(dev).name}\n`,
    ),
    driver_override_attr(to_platform_device),
  ],
};

/** The platform bus (`platform_bus_type`). */
export const platform_bus_type: bus_type = {
  dev_groups: [platform_dev_group],
  name: 'platform',
  match: platform_match,
  uevent: platform_uevent,
  probe: platform_probe,
  remove: platform_remove,
  shutdown: platform_shutdown,
};

/**
 * The parent of every platform device: `/sys/devices/platform` (`platform_bus`).
 * `driver_init()` replaces it, so read it when you use it.
 */
export let platform_bus = new device();

/** The MMIO and port windows claimed by platform devices (children of `iomem_resource`). */
let claimed: resource[] = [];
let next_auto_id = 0;
const free_auto_ids: number[] = [];

/** A new `platform` root device, forgets claimed windows and auto ids; part of `driver_init()`. */
export function platform_reset(): void {
  platform_bus = new device();
  claimed = [];
  next_auto_id = 0;
  free_auto_ids.length = 0;
}

function ida_alloc(): number {
  free_auto_ids.sort((a, b) => a - b);
  return free_auto_ids.shift() ?? next_auto_id++;
}

/**
 * Claims a window unless it collides with one already claimed (`insert_resource()`):
 * a window may nest inside, or around, another, but not equal or cross it.
 */
function insert_resource(r: resource): number {
  for (const other of claimed) {
    if (resource_type(other) !== resource_type(r) || !resource_overlaps(other, r)) continue;
    const nests =
      (r.start >= other.start && r.end <= other.end) ||
      (other.start >= r.start && other.end <= r.end);
    const same = r.start === other.start && r.end === other.end;
    if (!nests || same) return -EBUSY;
  }
  claimed.push(r);
  return 0;
}

function release_resource(r: resource): void {
  const i = claimed.indexOf(r);
  if (i >= 0) claimed.splice(i, 1);
}

/** Copies resources into the device (`platform_device_add_resources()`); returns 0. */
export function platform_device_add_resources(
  pdev: platform_device,
  res: readonly resource[],
): number {
  pdev.resource = res.map((r) => ({ ...r }));
  return 0;
}

/** Gives the device its board data (`platform_device_add_data()`); returns 0. */
export function platform_device_add_data(pdev: platform_device, data: unknown): number {
  pdev.dev.platform_data = data;
  return 0;
}

function setup_pdev_dma_masks(pdev: platform_device): void {
  if (!pdev.dev.coherent_dma_mask) pdev.dev.coherent_dma_mask = 0xffffffffn;
  if (pdev.dev.dma_mask === undefined) pdev.dev.dma_mask = 0xffffffffn;
}

function platform_device_release(dev: device): void {
  pr_debug('platform: released %s\n', dev_name(dev));
}

/**
 * A platform device to fill in and add (`platform_device_alloc()`); it frees itself
 * on its last `platform_device_put()`.
 */
export function platform_device_alloc(name: string, id: number): platform_device {
  const pdev = new platform_device(name, id);
  device_initialize(pdev.dev);
  pdev.dev.release = platform_device_release;
  setup_pdev_dma_masks(pdev);
  return pdev;
}

/** Drops a reference to the device (`platform_device_put()`). */
export function platform_device_put(pdev: platform_device | null): void {
  if (pdev) put_device(pdev.dev);
}

/**
 * Names the device, claims its resources and adds it (`platform_device_add()`);
 * returns 0 or a negative errno, the device still owned by the caller.
 */
export async function platform_device_add(pdev: platform_device): Promise<number> {
  const dev = pdev.dev;
  if (!dev.parent) dev.parent = platform_bus;
  dev.bus = platform_bus_type;
  if (pdev.id === PLATFORM_DEVID_NONE) dev_set_name(dev, '%s', pdev.name);
  else if (pdev.id === PLATFORM_DEVID_AUTO) {
    pdev.id = ida_alloc();
    pdev.id_auto = true;
    dev_set_name(dev, '%s.%d.auto', pdev.name, pdev.id);
  } else dev_set_name(dev, '%s.%d', pdev.name, pdev.id);

  let i = 0;
  let ret = 0;
  for (; i < pdev.resource.length; i++) {
    if (!pdev.resource[i]!.name) pdev.resource[i] = { ...pdev.resource[i]!, name: dev_name(dev) };
    const r = pdev.resource[i]!;
    const type = resource_type(r);
    if (type !== IORESOURCE_MEM && type !== IORESOURCE_IO) continue;
    ret = insert_resource(r);
    if (ret) {
      dev_err(dev, 'failed to claim resource %d: %s\n', i, resource_string(r));
      break;
    }
  }
  if (!ret) {
    pr_debug(
      "Registering platform device '%s'. Parent at %s\n",
      dev_name(dev),
      dev_name(dev.parent),
    );
    ret = await device_add(dev);
    if (!ret) return 0;
  }
  if (pdev.id_auto) {
    free_auto_ids.push(pdev.id);
    pdev.id = PLATFORM_DEVID_AUTO;
    pdev.id_auto = false;
  }
  while (i-- > 0) release_resource(pdev.resource[i]!);
  return ret;
}

/** Deletes the device and releases its windows (`platform_device_del()`). */
export async function platform_device_del(pdev: platform_device): Promise<void> {
  await device_del(pdev.dev);
  if (pdev.id_auto) {
    free_auto_ids.push(pdev.id);
    pdev.id = PLATFORM_DEVID_AUTO;
    pdev.id_auto = false;
  }
  for (const r of pdev.resource) release_resource(r);
}

/**
 * Initialises and adds a device the caller built (`platform_device_register()`).
 * Give it a `dev.release`, or unregistering it warns as the kernel does.
 */
export function platform_device_register(pdev: platform_device): Promise<number> {
  device_initialize(pdev.dev);
  setup_pdev_dma_masks(pdev);
  return platform_device_add(pdev);
}

/** Deletes the device and drops its reference (`platform_device_unregister()`). */
export async function platform_device_unregister(pdev: platform_device): Promise<void> {
  await platform_device_del(pdev);
  platform_device_put(pdev);
}

/**
 * Allocates, fills in and adds a device in one call
 * (`platform_device_register_resndata()`); the device, or a negative errno.
 */
export async function platform_device_register_resndata(
  parent: device | null,
  name: string,
  id: number,
  res: readonly resource[],
  data: unknown,
): Promise<platform_device | number> {
  const pdev = platform_device_alloc(name, id);
  pdev.dev.parent = parent;
  platform_device_add_resources(pdev, res);
  if (data !== undefined) platform_device_add_data(pdev, data);
  const ret = await platform_device_add(pdev);
  if (ret) {
    platform_device_put(pdev);
    return ret;
  }
  return pdev;
}

/** {@link platform_device_register_resndata} without parent or data (`platform_device_register_simple()`). */
export function platform_device_register_simple(
  name: string,
  id: number,
  res: readonly resource[] = [],
): Promise<platform_device | number> {
  return platform_device_register_resndata(null, name, id, res, undefined);
}

/** The `num`th resource of `type` (`platform_get_resource()`), undefined when there is none. */
export function platform_get_resource(
  pdev: platform_device,
  type: number,
  num: number,
): resource | undefined {
  return pdev.resource.filter((r) => resource_type(r) === type)[num];
}

/** The resource of `type` named `name` (`platform_get_resource_byname()`). */
export function platform_get_resource_byname(
  pdev: platform_device,
  type: number,
  name: string,
): resource | undefined {
  return pdev.resource.find((r) => resource_type(r) === type && r.name === name);
}

/** The `num`th interrupt, or -ENXIO without a message (`platform_get_irq_optional()`). */
export function platform_get_irq_optional(pdev: platform_device, num: number): number {
  const r = platform_get_resource(pdev, IORESOURCE_IRQ, num);
  if (!r) return -ENXIO;
  if (WARN(r.start === 0, '0 is an invalid IRQ number\n')) return -EINVAL;
  return r.start;
}

/** The `num`th interrupt; when there is none, says so and returns -ENXIO (`platform_get_irq()`). */
export function platform_get_irq(pdev: platform_device, num: number): number {
  const ret = platform_get_irq_optional(pdev, num);
  if (ret < 0) return dev_err_probe(pdev.dev, ret, 'IRQ index %u not found\n', num);
  return ret;
}

/** How many interrupts the device has (`platform_irq_count()`). */
export function platform_irq_count(pdev: platform_device): number {
  return pdev.resource.filter((r) => resource_type(r) === IORESOURCE_IRQ).length;
}

/** Registers a platform driver (`platform_driver_register()`), probing matching devices. */
export function platform_driver_register(drv: platform_driver, owner?: unknown): Promise<number> {
  drv.driver.bus = platform_bus_type;
  if (owner !== undefined) drv.driver.owner = owner;
  platform_drivers.set(drv.driver, drv);
  return driver_register(drv.driver);
}

/** Unregisters a platform driver, unbinding its devices (`platform_driver_unregister()`). */
export function platform_driver_unregister(drv: platform_driver): Promise<void> {
  return driver_unregister(drv.driver);
}

/** The windows platform devices have claimed, as `/proc/iomem` would list them. */
export function platform_claimed_resources(): readonly resource[] {
  return claimed;
}
