/**
 * gpiolib (drivers/gpio/gpiolib.c): registering GPIO controllers and using
 * their lines.
 *
 * A driver fills in a {@link gpio_chip} and registers it with
 * {@link gpiochip_add_data} (or {@link devm_gpiochip_add_data}, undone when the
 * driver is unbound). gpiolib then creates a `gpio_device` named `gpiochipN`
 * on the `gpio` bus below the chip's parent, with the character device
 * `/dev/gpiochipN` and the legacy `/sys/class/gpio/gpiochip<base>`; lines get
 * global numbers from `base` (chosen from 512 up when the chip asks for -1).
 *
 * Consumers work on descriptors (`consumer.ts`): {@link gpio_device_get_desc} or
 * {@link gpio_to_desc} find one, {@link gpiod_request} claims it (taking a
 * reference on the gpio_device and the driver's module), the `gpiod_*` calls
 * drive it and {@link gpiod_free} lets it go. The `gpiod_get_value` family is
 * logical (an active-low line reads 1 when low); the `_raw_` family is physical.
 *
 * {@link gpiochip_remove} "numbs" the gpio_device: its `chip` becomes null and
 * every later call through a descriptor or an open file fails with -ENODEV,
 * while the gpio_device itself lives on until its last reference goes.
 *
 * @example
 * ```ts
 * import { GPIO_LINE_DIRECTION_IN, gpio_chip, gpio_init, gpiochip_add_data, gpiochip_remove, gpio_device_get_desc, gpiod_request, gpiod_free, gpiod_get_value, gpiod_direction_output, gpiod_set_value } from '@rfl/kernel';
 * # gpio_init();
 * const lines = [0, 1, 0, 0];
 * const gc = new gpio_chip();
 * gc.label = 'demo';
 * gc.ngpio = 4;
 * gc.get_direction = () => GPIO_LINE_DIRECTION_IN;
 * gc.direction_output = (_gc, off, v) => { lines[off] = v; return 0; };
 * gc.get = (_gc, off) => lines[off]!;
 * gc.set = (_gc, off, v) => { lines[off] = v; return 0; };
 * gpiochip_add_data(gc, null) // => 0
 * gc.gpiodev!.base // => 512
 * const led = gpio_device_get_desc(gc.gpiodev!, 2);
 * gpiod_request(led, 'led') // => 0
 * gpiod_direction_output(led, 1) // => 0
 * lines // => [0, 1, 1, 0]
 * gpiod_set_value(led, 0) // => 0
 * gpiod_get_value(led) // => 0
 * gpiod_free(led);
 * gpiochip_remove(gc);
 * ```
 *
 * @module
 */

import { bus_register, bus_remove_device, bus_to_subsys, type bus_type } from '../base/bus.js';
import { device_add_root } from '../base/core.js';
import { dev_set_name, type device, device_initialize, put_device } from '../base/device.js';
import { devres_add, devres_alloc, devres_free, devres_release } from '../base/devres.js';
import { EBUSY, EINVAL, ENOMEM, ENOSPC, EPROBE_DEFER } from '../errno.js';
import { kobject_del } from '../lib/kobject.js';
import { KOBJ_REMOVE, kobject_uevent } from '../lib/kobject_uevent.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { WARN_ON } from '../panic.js';
import { dev_crit, dev_err, pr_debug, pr_err, pr_warn } from '../printk.js';
import { gpiochip_get_direction } from './consumer.js';
import {
  FLAG_IS_OUT,
  FLAG_OPEN_DRAIN,
  FLAG_REQUESTED,
  FLAG_USED_AS_IRQ,
  GPIO_LINE_DIRECTION_OUT,
  type gpio_chip,
  type gpio_desc,
  gpio_device,
  to_gpio_device,
} from './driver.js';
import { gcdev_register, gcdev_unregister, gpiolib_cdev_init } from './gpiolib-cdev.js';
import { gpiolib_debugfs_init } from './gpiolib-debugfs.js';
import { gpiochip_add_irqchip, gpiochip_irqchip_remove } from './gpiolib-irqchip.js';
import {
  gpiochip_sysfs_register,
  gpiochip_sysfs_unregister,
  gpiolib_sysfs_init,
} from './gpiolib-sysfs.js';

/** Where dynamically numbered chips start (`GPIO_DYNAMIC_BASE`). */
export const GPIO_DYNAMIC_BASE = 512;
/** The largest global GPIO number (`GPIO_DYNAMIC_MAX`). */
export const GPIO_DYNAMIC_MAX = 0x7fffffff;
/** How many gpio_devices (and /dev/gpiochipN minors) there can be (`GPIO_DEV_MAX`). */
export const GPIO_DEV_MAX = 256;

/** The `gpio` bus every gpio_device sits on (`gpio_bus_type`); it has no drivers here. */
export const gpio_bus_type: bus_type = { name: 'gpio' };

/** Registered gpio_devices, sorted by base (`gpio_devices`). */
let gpio_devices: gpio_device[] = [];
/** The ids in use (`gpio_ida`). */
let gpio_ida = new Set<number>();

/**
 * (Re)boots gpiolib: forgets every chip, registers the `gpio` bus, the
 * `gpiochip` character-device region, the `gpio` class and
 * `/sys/kernel/debug/gpio`. Call it after the
 * driver core's boot (`driver_core_fs_init()` or `driver_init()`), which drops
 * every bus.
 */
export function gpio_init(): void {
  gpio_devices = [];
  gpio_ida = new Set();
  if (!bus_to_subsys(gpio_bus_type)) bus_register(gpio_bus_type);
  gpiolib_cdev_init();
  gpiolib_sysfs_init();
  gpiolib_debugfs_init();
}

/** The registered gpio_devices, lowest base first. */
export function gpio_device_list(): readonly gpio_device[] {
  return gpio_devices;
}

function ida_alloc(): number {
  let id = 0;
  while (gpio_ida.has(id)) id++;
  gpio_ida.add(id);
  return id;
}

/** `chip_err()`: an error about a chip, on its gpio_device, prefixed with the label. */
export function chip_err(gc: gpio_chip, fmt: string, ...args: unknown[]): void {
  const gdev = gc.gpiodev;
  if (gdev) dev_err(gdev.dev, `(%s): ${fmt}`, gc.label, ...args);
  else pr_err(`gpio (%s): ${fmt}`, gc.label, ...args);
}

/** The global number of a line (`desc_to_gpio()`). */
export function desc_to_gpio(desc: gpio_desc): number {
  return desc.gdev.base + desc.gdev.descs.indexOf(desc);
}

/** The line's offset on its chip (`gpio_chip_hwgpio()`). */
export function gpio_chip_hwgpio(desc: gpio_desc): number {
  return desc.gdev.descs.indexOf(desc);
}

/** `gpiochip_find_base_unlocked()`: the first free range of `ngpio` numbers from 512. */
function gpiochip_find_base(ngpio: number): number {
  let base = GPIO_DYNAMIC_BASE;
  for (const gdev of gpio_devices) {
    if (gdev.base >= base + ngpio) break;
    base = Math.max(gdev.base + gdev.ngpio, GPIO_DYNAMIC_BASE);
    if (base > GPIO_DYNAMIC_MAX - ngpio) break;
  }
  if (base <= GPIO_DYNAMIC_MAX - ngpio) {
    pr_debug('%s: found new base at %d\n', 'gpiochip_find_base_unlocked', base);
    return base;
  }
  pr_err('%s: cannot find free range\n', 'gpiochip_find_base_unlocked');
  return -ENOSPC;
}

/** `gpiodev_add_to_list_unlocked()`: keeps the list sorted; -EBUSY on overlap. */
function gpiodev_add_to_list(gdev: gpio_device): number {
  const at = gpio_devices.findIndex((g) => g.base >= gdev.base + gdev.ngpio);
  const prev = at < 0 ? gpio_devices.at(-1) : gpio_devices[at - 1];
  if (prev && prev.base + prev.ngpio > gdev.base) {
    dev_err(gdev.dev, 'GPIO integer space overlap, cannot add chip\n');
    return -EBUSY;
  }
  if (at < 0) gpio_devices.push(gdev);
  else gpio_devices.splice(at, 0, gdev);
  return 0;
}

function gpiodev_release(dev: device): void {
  const gdev = to_gpio_device(dev);
  gpio_ida.delete(gdev.id);
}

/**
 * Registers a GPIO controller (`gpiochip_add_data()`): creates its gpio_device
 * and descriptors, numbers its lines, reads each line's direction, sets up its
 * irq domain when `gc.irq.chip` is set, and creates `/dev/gpiochipN` and the
 * sysfs entries. Returns 0 or a negative errno, after undoing everything; the
 * failure is reported as `GPIOs A..B (label) failed to register, -E`.
 */
export function gpiochip_add_data(gc: gpio_chip, data: unknown): number {
  if (gc.ngpio === 0) {
    pr_err('%s: tried to insert a GPIO chip with zero lines\n', 'gpiochip_add_data_with_key');
    return -EINVAL;
  }
  const id = ida_alloc();
  let base = gc.base;
  if (base >= 0) {
    pr_warn(
      'gpio gpiochip%d: Static allocation of GPIO base is deprecated, use dynamic allocation.\n',
      id,
    );
  } else {
    base = gpiochip_find_base(gc.ngpio);
    if (base < 0) {
      gpio_ida.delete(id);
      return fail(gc, base, base);
    }
  }
  const gdev = new gpio_device(id, gc, base);
  const dev = gdev.dev;
  device_initialize(dev);
  dev.bus = gpio_bus_type;
  dev.parent = gc.parent;
  dev.release = gpiodev_release;
  dev_set_name(dev, 'gpiochip%d', id);
  gdev.data = data;
  gc.gpiodev = gdev;
  gdev.chip = gc;
  for (let i = 0; i < gc.ngpio; i++) gdev.descs[i]!.name = gc.names?.[i];

  let ret = gpiodev_add_to_list(gdev);
  if (ret) {
    gc.gpiodev = null;
    put_device(dev);
    return fail(gc, base, ret);
  }
  for (let i = 0; i < gc.ngpio; i++) {
    const desc = gdev.descs[i]!;
    // Lines whose direction cannot be read are assumed inputs, unless the chip can only drive.
    if (gc.get_direction) {
      if (gpiochip_get_direction(gc, i) === GPIO_LINE_DIRECTION_OUT) desc.flags |= FLAG_IS_OUT;
    } else if (!gc.direction_input) {
      desc.flags |= FLAG_IS_OUT;
    }
  }
  ret = gpiochip_add_irqchip(gc);
  if (ret === 0) ret = gpiochip_setup_dev(gdev);
  if (ret) {
    gpiochip_irqchip_remove(gc);
    gpio_devices = gpio_devices.filter((g) => g !== gdev);
    gdev.chip = null;
    gc.gpiodev = null;
    put_device(dev);
    return fail(gc, base, ret);
  }
  return 0;
}

function fail(gc: gpio_chip, base: number, ret: number): number {
  if (ret !== -EPROBE_DEFER) {
    pr_err(
      '%s: GPIOs %d..%d (%s) failed to register, %d\n',
      'gpiochip_add_data_with_key',
      base,
      base + gc.ngpio - 1,
      gc.label || 'generic',
      ret,
    );
  }
  return ret;
}

/** `gpiochip_setup_dev()`: the device on the gpio bus, its chardev and its sysfs class entry. */
function gpiochip_setup_dev(gdev: gpio_device): number {
  const ret = device_add_root(gdev.dev);
  if (ret) return ret;
  const cret = gcdev_register(gdev);
  if (cret) {
    gpio_device_del(gdev);
    return cret;
  }
  gpiochip_sysfs_register(gdev);
  pr_debug(
    '%s: registered GPIOs %d to %d on %s\n',
    'gpiochip_setup_dev',
    gdev.base,
    gdev.base + gdev.ngpio - 1,
    gdev.label,
  );
  return 0;
}

/**
 * `device_del()` of a gpio_device, which never has a driver: the steps that do not
 * sleep, so that a devm release (which cannot wait) can remove a chip.
 */
function gpio_device_del(gdev: gpio_device): void {
  const dev = gdev.dev;
  dev.p.dead = true;
  const parent = dev.parent;
  if (parent) {
    const i = parent.p.children.indexOf(dev);
    if (i >= 0) parent.p.children.splice(i, 1);
  }
  bus_remove_device(dev);
  kobject_uevent(dev.kobj, KOBJ_REMOVE);
  kobject_del(dev.kobj);
  put_device(parent);
}

/**
 * Unregisters a GPIO controller (`gpiochip_remove()`): the sysfs entries go,
 * the device is numbed (`gdev.chip = null`), the irq domain and chained
 * handlers are removed, and the chardev goes; files still open keep the
 * gpio_device and get -ENODEV. Lines still requested are a driver bug,
 * reported as `REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED`.
 */
export function gpiochip_remove(gc: gpio_chip): void {
  const gdev = gc.gpiodev;
  if (!gdev) return;
  gpiochip_sysfs_unregister(gdev);
  gdev.chip = null;
  gcdev_notify_unregistered(gdev);
  gpiochip_irqchip_remove(gc);
  gdev.data = undefined;
  if (gdev.descs.some((d) => d.flags & FLAG_REQUESTED)) {
    dev_crit(gdev.dev, 'REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED\n');
  }
  gpio_devices = gpio_devices.filter((g) => g !== gdev);
  gcdev_unregister(gdev);
  gpio_device_del(gdev);
  gc.gpiodev = null;
  put_device(gdev.dev);
}

/** Tells the open files of the device that its chip went away (`gpio_device_unregister_notify`). */
function gcdev_notify_unregistered(gdev: gpio_device): void {
  for (const notify of [...gdev.notify]) notify();
}

/** The driver's data given to gpiochip_add_data() (`gpiochip_get_data()`). */
export function gpiochip_get_data<T = unknown>(gc: gpio_chip): T {
  return gc.gpiodev?.data as T;
}

function devm_gpio_chip_release(_dev: device, res: number): void {
  const gc = devm_chips.get(res);
  devm_chips.delete(res);
  if (gc) gpiochip_remove(gc);
}

/** The chip pointer each devm record holds (`struct gpio_chip **` in the record's data). */
const devm_chips = new Map<number, gpio_chip>();

/**
 * `devm_gpiochip_add_data()`: {@link gpiochip_add_data}, removed again when `dev`'s
 * driver is unbound. Returns 0 or a negative errno.
 */
export function devm_gpiochip_add_data(dev: device, gc: gpio_chip, data: unknown): number {
  const res = devres_alloc(devm_gpio_chip_release, 8, GFP_KERNEL);
  if (!res) return -ENOMEM;
  const ret = gpiochip_add_data(gc, data);
  if (ret < 0) {
    devres_free(res);
    return ret;
  }
  devm_chips.set(res, gc);
  devres_add(dev, res);
  return 0;
}

/** Removes a devm-added chip before the driver is unbound (`devm_gpiochip_remove()`). */
export function devm_gpiochip_remove(dev: device, gc: gpio_chip): void {
  WARN_ON(devres_release(dev, devm_gpio_chip_release, (_d, res) => devm_chips.get(res) === gc));
}

/** The gpio_device whose chip has label `label` (`gpio_device_find_by_label()`), or null. */
export function gpio_device_find_by_label(label: string): gpio_device | null {
  return gpio_devices.find((g) => g.chip?.label === label) ?? null;
}

/** Whether line `offset` may be used (`gpiochip_line_is_valid()`); every line here is. */
export function gpiochip_line_is_valid(gc: gpio_chip, offset: number): boolean {
  return offset >= 0 && offset < gc.ngpio;
}

/** Whether the chip's line `offset` is claimed (`gpiochip_is_requested()`): its label, or undefined. */
export function gpiochip_is_requested(gc: gpio_chip, offset: number): string | undefined {
  const desc = gc.gpiodev?.descs[offset];
  return desc && desc.flags & FLAG_REQUESTED ? desc.label : undefined;
}

/** `gpiochip_line_is_irq()`: the line is locked as an interrupt. */
export function gpiochip_line_is_irq(gc: gpio_chip, offset: number): boolean {
  return ((gc.gpiodev?.descs[offset]?.flags ?? 0) & FLAG_USED_AS_IRQ) !== 0;
}

/** `gpiochip_line_is_open_drain()`. */
export function gpiochip_line_is_open_drain(gc: gpio_chip, offset: number): boolean {
  return ((gc.gpiodev?.descs[offset]?.flags ?? 0) & FLAG_OPEN_DRAIN) !== 0;
}
