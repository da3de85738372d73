/**
 * The virtio bus (drivers/virtio/virtio.c), as far as the driver core is concerned:
 * devices numbered `virtio0`, `virtio1` ... carrying the device and vendor IDs their
 * transport read, and drivers matched through an id table of `{ device, vendor }`
 * entries where `VIRTIO_DEV_ANY_ID` is a wildcard. Feature negotiation, the status
 * byte and virtqueues belong to the transport and the virtio package built on this.
 *
 * @example
 * ```ts
 * import { driver_init, register_virtio_device, register_virtio_driver, unregister_virtio_device, unregister_virtio_driver, virtio_device, VIRTIO_DEV_ANY_ID, VIRTIO_ID_NET } from '@rfl/kernel';
 * # driver_init();
 * const probed: string[] = [];
 * const virtio_net_driver = {
 *   driver: { name: 'virtio_net' },
 *   id_table: [{ device: VIRTIO_ID_NET, vendor: VIRTIO_DEV_ANY_ID }],
 *   probe: (vdev: virtio_device) => { probed.push(vdev.dev.name); return 0; },
 * };
 * await register_virtio_driver(virtio_net_driver);
 * const vdev = new virtio_device({ device: VIRTIO_ID_NET, vendor: 0x554d4551 });
 * vdev.dev.release = () => {}; // the transport frees its own structure
 * await register_virtio_device(vdev) // => 0
 * probed // => ['virtio0']
 * await unregister_virtio_device(vdev);
 * await unregister_virtio_driver(virtio_net_driver);
 * ```
 *
 * @module
 */

import type { attribute_group } from '../fs/sysfs/group.js';
import { add_uevent_var, type kobj_uevent_env } from '../lib/kobject_uevent.js';
import type { bus_type } from './bus.js';
import { device_add, device_unregister } from './core.js';
import {
  DEVICE_ATTR_RO,
  dev_set_name,
  device,
  device_initialize,
  type maybe_async,
} from './device.js';
import { type device_driver, driver_register, driver_unregister } from './driver.js';

/** Matches any device or vendor ID (`VIRTIO_DEV_ANY_ID`). */
export const VIRTIO_DEV_ANY_ID = 0xffffffff;
/** Device IDs from include/uapi/linux/virtio_ids.h. */
export const VIRTIO_ID_NET = 1;
export const VIRTIO_ID_BLOCK = 2;
export const VIRTIO_ID_CONSOLE = 3;
export const VIRTIO_ID_RNG = 4;
export const VIRTIO_ID_BALLOON = 5;
export const VIRTIO_ID_9P = 9;
export const VIRTIO_ID_INPUT = 18;
export const VIRTIO_ID_GPU = 16;

/** A device's identity, or one entry of a driver's id table (`struct virtio_device_id`). */
export interface virtio_device_id {
  readonly device: number;
  readonly vendor: number;
}

/** A virtio device (`struct virtio_device`), created by its transport. */
export class virtio_device {
  /** The `N` of `virtioN`, unique while the device is registered. */
  index = -1;
  readonly dev = new device();
  id: virtio_device_id;
  /** The driver's private data (`priv`). */
  priv: unknown = undefined;

  constructor(id: virtio_device_id) {
    this.id = id;
    this.dev.container = this;
  }
}

/** A virtio driver (`struct virtio_driver`). The id table ends at its first `device: 0` entry. */
export interface virtio_driver {
  readonly driver: device_driver;
  readonly id_table: readonly virtio_device_id[];
  readonly probe?: (vdev: virtio_device) => maybe_async<number>;
  readonly remove?: (vdev: virtio_device) => maybe_async<void>;
}

const virtio_drivers = new WeakMap<device_driver, virtio_driver>();
let used_indices = new Set<number>();

/** Forgets the device numbers in use; part of `driver_init()`. */
export function virtio_reset(): void {
  used_indices = new Set();
}

/** The virtio device that embeds `dev` (`dev_to_virtio()`). */
export function dev_to_virtio(dev: device): virtio_device {
  return dev.container as virtio_device;
}

/** The virtio driver that embeds `drv` (`drv_to_virtio()`). */
export function drv_to_virtio(drv: device_driver): virtio_driver {
  return virtio_drivers.get(drv)!;
}

function virtio_id_match(vdev: virtio_device, id: virtio_device_id): boolean {
  if (id.device !== vdev.id.device && id.device !== VIRTIO_DEV_ANY_ID) return false;
  return id.vendor === VIRTIO_DEV_ANY_ID || id.vendor === vdev.id.vendor;
}

function virtio_dev_match(dev: device, drv: device_driver): number {
  const vdev = dev_to_virtio(dev);
  const ids = drv_to_virtio(drv)?.id_table ?? [];
  for (const id of ids) {
    if (!id.device) break;
    if (virtio_id_match(vdev, id)) return 1;
  }
  return 0;
}

function virtio_uevent(dev: device, env: kobj_uevent_env): number {
  const vdev = dev_to_virtio(dev);
  return add_uevent_var(env, 'MODALIAS=%s', modalias(vdev));
}

async function virtio_dev_probe(dev: device): Promise<number> {
  const drv = drv_to_virtio(dev.driver!);
  return drv.probe ? drv.probe(dev_to_virtio(dev)) : 0;
}

async function virtio_dev_remove(dev: device): Promise<void> {
  const drv = drv_to_virtio(dev.driver!);
  if (drv.remove) await drv.remove(dev_to_virtio(dev));
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}\n`;
const modalias = (v: virtio_device) =>
  `virtio:d${v.id.device.toString(16).toUpperCase().padStart(8, '0')}v${v.id.vendor.toString(16).toUpperCase().padStart(8, '0')}`;

/** The files of every virtio device (`virtio_dev_groups`) the bus can fill without a transport. */
const virtio_dev_group: attribute_group = {
  attrs: [
    DEVICE_ATTR_RO('device', (dev) => hex4(dev_to_virtio(dev).id.device)),
    DEVICE_ATTR_RO('vendor', (dev) => hex4(dev_to_virtio(dev).id.vendor)),
    DEVICE_ATTR_RO('modalias', (dev) => `${modalias(dev_to_virtio(dev))}\n`),
  ],
};

/** The virtio bus (`virtio_bus`). */
export const virtio_bus: bus_type = {
  dev_groups: [virtio_dev_group],
  name: 'virtio',
  match: virtio_dev_match,
  uevent: virtio_uevent,
  probe: virtio_dev_probe,
  remove: virtio_dev_remove,
};

/**
 * Numbers and adds a device its transport created (`register_virtio_device()`); on
 * error the caller drops its reference with `put_device(&vdev.dev)`.
 */
export async function register_virtio_device(vdev: virtio_device): Promise<number> {
  vdev.dev.bus = virtio_bus;
  device_initialize(vdev.dev);
  let index = 0;
  while (used_indices.has(index)) index++;
  used_indices.add(index);
  vdev.index = index;
  dev_set_name(vdev.dev, 'virtio%u', index);
  const err = await device_add(vdev.dev);
  if (err) used_indices.delete(index);
  return err;
}

/** Deletes the device and frees its number (`unregister_virtio_device()`). */
export async function unregister_virtio_device(vdev: virtio_device): Promise<void> {
  const index = vdev.index;
  await device_unregister(vdev.dev);
  used_indices.delete(index);
}

/** Registers a virtio driver (`register_virtio_driver()`), probing matching devices. */
export function register_virtio_driver(drv: virtio_driver): Promise<number> {
  drv.driver.bus = virtio_bus;
  virtio_drivers.set(drv.driver, drv);
  return driver_register(drv.driver);
}

/** Unregisters a virtio driver, unbinding its devices (`unregister_virtio_driver()`). */
export function unregister_virtio_driver(drv: virtio_driver): Promise<void> {
  return driver_unregister(drv.driver);
}
