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
 * Consumers work on descriptors: {@link gpio_device_get_desc} or
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
import {
  dev_name,
  dev_set_name,
  type device,
  device_initialize,
  get_device,
  put_device,
} from '../base/device.js';
import { devres_add, devres_alloc, devres_free, devres_release } from '../base/devres.js';
import {
  EBADE,
  EBUSY,
  EINVAL,
  EIO,
  ENODEV,
  ENOMEM,
  ENOSPC,
  ENXIO,
  EOPNOTSUPP,
  EPROBE_DEFER,
} from '../errno.js';
import { kobject_del } from '../lib/kobject.js';
import { KOBJ_REMOVE, kobject_uevent } from '../lib/kobject_uevent.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { type module, module_put, try_module_get } from '../module/module.js';
import { WARN_ON } from '../panic.js';
import { dev_crit, dev_err, pr_debug, pr_err, pr_warn } from '../printk.js';
import {
  FLAG_ACTIVE_LOW,
  FLAG_BIAS_DISABLE,
  FLAG_EDGE_FALLING,
  FLAG_EDGE_RISING,
  FLAG_EXPORT,
  FLAG_IRQ_IS_ENABLED,
  FLAG_IS_HOGGED,
  FLAG_IS_OUT,
  FLAG_OPEN_DRAIN,
  FLAG_OPEN_SOURCE,
  FLAG_PULL_DOWN,
  FLAG_PULL_UP,
  FLAG_REQUESTED,
  FLAG_USED_AS_IRQ,
  GPIO_LINE_DIRECTION_IN,
  GPIO_LINE_DIRECTION_OUT,
  type gpio_bitmap,
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

/** `gpiod_err()`-style prefix: `gpio-<N> (<label>): `. */
function gpiod_err(desc: gpio_desc, fmt: string, ...args: unknown[]): void {
  pr_err(`gpio-%d (%s): ${fmt}`, desc_to_gpio(desc), desc.label ?? '?', ...args);
}

function gpiod_warn(desc: gpio_desc, fmt: string, ...args: unknown[]): void {
  pr_warn(`gpio-%d (%s): ${fmt}`, desc_to_gpio(desc), desc.label ?? '?', ...args);
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

/** `gpiochip_get_direction()`: the chip's answer, checked to be IN/OUT or an errno. */
function gpiochip_get_direction(gc: gpio_chip, offset: number): number {
  if (!gc.get_direction) return -EOPNOTSUPP;
  const ret = gc.get_direction(gc, offset);
  if (ret < 0) return ret;
  if (WARN_ON(ret !== GPIO_LINE_DIRECTION_IN && ret !== GPIO_LINE_DIRECTION_OUT)) return -EBADE;
  return ret;
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

/** The descriptor of line `hwnum` of a gpio_device (`gpio_device_get_desc()`); throws on a bad offset. */
export function gpio_device_get_desc(gdev: gpio_device, hwnum: number): gpio_desc {
  const desc = gdev.descs[hwnum];
  if (!desc)
    throw Object.assign(new RangeError(`gpio: no line ${hwnum} on ${dev_name(gdev.dev)}`), {
      code: 'EINVAL',
    });
  return desc;
}

/** The descriptor of global GPIO number `gpio`, or null (`gpio_to_desc()`). */
export function gpio_to_desc(gpio: number): gpio_desc | null {
  for (const gdev of gpio_devices) {
    if (gpio >= gdev.base && gpio < gdev.base + gdev.ngpio) return gdev.descs[gpio - gdev.base]!;
  }
  if (gpio < 0) pr_warn('invalid GPIO %d\n', gpio);
  return null;
}

/** The gpio_device whose chip has label `label` (`gpio_device_find_by_label()`), or null. */
export function gpio_device_find_by_label(label: string): gpio_device | null {
  return gpio_devices.find((g) => g.chip?.label === label) ?? null;
}

/** The chip behind a descriptor, or null once it was removed (`gpiod_to_chip()`). */
export function gpiod_to_chip(desc: gpio_desc): gpio_chip | null {
  return desc.gdev.chip;
}

/** Whether line `offset` may be used (`gpiochip_line_is_valid()`); every line here is. */
export function gpiochip_line_is_valid(gc: gpio_chip, offset: number): boolean {
  return offset >= 0 && offset < gc.ngpio;
}

function gpiod_request_commit(desc: gpio_desc, label: string | undefined): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  if (desc.flags & FLAG_REQUESTED) return -EBUSY;
  desc.flags |= FLAG_REQUESTED;
  const offset = gpio_chip_hwgpio(desc);
  if (!gpiochip_line_is_valid(gc, offset)) {
    desc.flags &= ~FLAG_REQUESTED;
    return -EINVAL;
  }
  if (gc.request) {
    let ret = gc.request(gc, offset);
    if (ret > 0) ret = -EBADE;
    if (ret) {
      desc.flags &= ~FLAG_REQUESTED;
      return ret;
    }
  }
  if (gc.get_direction) gpiod_get_direction(desc);
  desc.label = label ?? '?';
  return 0;
}

/**
 * Claims a line for a consumer named `label` (`gpiod_request()`): 0, -EBUSY when
 * it is taken, -ENODEV when its chip is gone or its module going away, or the
 * chip's `request` error. A claimed line holds a reference on its gpio_device
 * and its driver's module until {@link gpiod_free}.
 */
export function gpiod_request(desc: gpio_desc, label: string | undefined): number {
  const owner = desc.gdev.owner as module | undefined;
  let ret = -EPROBE_DEFER;
  if (try_module_get(owner)) {
    ret = gpiod_request_commit(desc, label);
    if (ret) module_put(owner);
    else get_device(desc.gdev.dev);
  }
  if (ret)
    pr_debug(
      'gpio-%d (%s): %s: status %d\n',
      desc_to_gpio(desc),
      desc.label ?? '?',
      'gpiod_request',
      ret,
    );
  return ret;
}

/** Releases a claimed line (`gpiod_free()`), dropping its references. */
export function gpiod_free(desc: gpio_desc): void {
  const gc = desc.gdev.chip;
  if (gc && desc.flags & FLAG_REQUESTED) gc.free?.(gc, gpio_chip_hwgpio(desc));
  desc.flags &= ~(
    FLAG_ACTIVE_LOW |
    FLAG_REQUESTED |
    FLAG_OPEN_DRAIN |
    FLAG_OPEN_SOURCE |
    FLAG_PULL_UP |
    FLAG_PULL_DOWN |
    FLAG_BIAS_DISABLE |
    FLAG_EDGE_RISING |
    FLAG_EDGE_FALLING |
    FLAG_IS_HOGGED |
    FLAG_EXPORT
  );
  desc.label = undefined;
  module_put(desc.gdev.owner as module | undefined);
  put_device(desc.gdev.dev);
}

/** `gpiod_put()`: what a consumer calls to give back a line it got. */
export function gpiod_put(desc: gpio_desc): void {
  gpiod_free(desc);
}

/**
 * A driver claims a line of its own chip (`gpiochip_request_own_desc()`),
 * configured by `dflags` (GPIOD_*): the descriptor, or a negative errno.
 */
export function gpiochip_request_own_desc(
  gc: gpio_chip,
  hwnum: number,
  label: string,
  dflags: number,
): gpio_desc | number {
  const gdev = gc.gpiodev;
  const desc = gdev?.descs[hwnum];
  if (!gdev || !desc) return -EINVAL;
  const ret = gpiod_request_commit(desc, label);
  if (ret < 0) return ret;
  get_device(gdev.dev);
  const cfg = gpiod_configure_flags(desc, dflags);
  if (cfg) {
    gpiochip_free_own_desc(desc);
    return cfg;
  }
  return desc;
}

/** Releases a line claimed with gpiochip_request_own_desc() (`gpiochip_free_own_desc()`). */
export function gpiochip_free_own_desc(desc: gpio_desc): void {
  const gc = desc.gdev.chip;
  if (gc && desc.flags & FLAG_REQUESTED) gc.free?.(gc, gpio_chip_hwgpio(desc));
  desc.flags &= ~(FLAG_REQUESTED | FLAG_ACTIVE_LOW | FLAG_EXPORT);
  desc.label = undefined;
  put_device(desc.gdev.dev);
}

// enum gpiod_flags (include/linux/gpio/consumer.h).
export const GPIOD_FLAGS_BIT_DIR_SET = 1 << 0;
export const GPIOD_FLAGS_BIT_DIR_OUT = 1 << 1;
export const GPIOD_FLAGS_BIT_DIR_VAL = 1 << 2;
export const GPIOD_FLAGS_BIT_OPEN_DRAIN = 1 << 3;
export const GPIOD_ASIS = 0;
export const GPIOD_IN = GPIOD_FLAGS_BIT_DIR_SET;
export const GPIOD_OUT_LOW = GPIOD_FLAGS_BIT_DIR_SET | GPIOD_FLAGS_BIT_DIR_OUT;
export const GPIOD_OUT_HIGH =
  GPIOD_FLAGS_BIT_DIR_SET | GPIOD_FLAGS_BIT_DIR_OUT | GPIOD_FLAGS_BIT_DIR_VAL;

/** Applies GPIOD_* flags to a just-claimed line (`gpiod_configure_flags()`). */
export function gpiod_configure_flags(desc: gpio_desc, dflags: number): number {
  if (!(dflags & GPIOD_FLAGS_BIT_DIR_SET)) return 0;
  if (dflags & GPIOD_FLAGS_BIT_DIR_OUT) {
    return gpiod_direction_output(desc, dflags & GPIOD_FLAGS_BIT_DIR_VAL ? 1 : 0);
  }
  return gpiod_direction_input(desc);
}

/**
 * Claims line `offset` of the chip labelled `label` for consumer `con_id` and
 * configures it (`gpiod_get()` through a `GPIO_LOOKUP(label, offset, ...)` table
 * entry): the descriptor, or a negative errno (-EPROBE_DEFER when no such chip).
 */
export function gpiod_get_from_chip(
  label: string,
  offset: number,
  con_id: string,
  dflags: number,
): gpio_desc | number {
  const gdev = gpio_device_find_by_label(label);
  if (!gdev) return -EPROBE_DEFER;
  const desc = gdev.descs[offset];
  if (!desc) return -EINVAL;
  const ret = gpiod_request(desc, con_id);
  if (ret) return ret;
  const cfg = gpiod_configure_flags(desc, dflags);
  if (cfg) {
    gpiod_free(desc);
    return cfg;
  }
  return desc;
}

/** The line's direction, GPIO_LINE_DIRECTION_IN/_OUT, or -errno (`gpiod_get_direction()`). */
export function gpiod_get_direction(desc: gpio_desc): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  const offset = gpio_chip_hwgpio(desc);
  // Open drain/source outputs that are not driving read back as inputs: keep them outputs.
  if (desc.flags & FLAG_IS_OUT && desc.flags & (FLAG_OPEN_DRAIN | FLAG_OPEN_SOURCE)) {
    return GPIO_LINE_DIRECTION_OUT;
  }
  const ret = gpiochip_get_direction(gc, offset);
  if (ret < 0) return ret;
  if (ret === GPIO_LINE_DIRECTION_OUT) desc.flags |= FLAG_IS_OUT;
  else desc.flags &= ~FLAG_IS_OUT;
  return ret;
}

/** Makes the line an input (`gpiod_direction_input()`): 0 or -errno. */
export function gpiod_direction_input(desc: gpio_desc): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  const offset = gpio_chip_hwgpio(desc);
  let ret = 0;
  if (gc.direction_input) {
    ret = gc.direction_input(gc, offset);
  } else if (gc.get_direction && gpiochip_get_direction(gc, offset) !== GPIO_LINE_DIRECTION_IN) {
    gpiod_warn(
      desc,
      '%s: missing direction_input() operation and line is output\n',
      'gpiod_direction_input',
    );
    return -EIO;
  }
  if (ret === 0) desc.flags &= ~FLAG_IS_OUT;
  return ret;
}

/** Makes the line an output at physical level `value` (`gpiod_direction_output_raw()`). */
export function gpiod_direction_output_raw(desc: gpio_desc, value: number): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  if (desc.flags & FLAG_USED_AS_IRQ && desc.flags & FLAG_IRQ_IS_ENABLED) {
    gpiod_err(desc, '%s: tried to set a GPIO tied to an IRQ as output\n', 'gpiod_direction_output');
    return -EIO;
  }
  const offset = gpio_chip_hwgpio(desc);
  const val = value ? 1 : 0;
  let ret: number;
  if (gc.direction_output) {
    ret = gc.direction_output(gc, offset, val);
  } else {
    if (gc.get_direction && gpiochip_get_direction(gc, offset) !== GPIO_LINE_DIRECTION_OUT) {
      gpiod_warn(
        desc,
        '%s: missing direction_output() operation and line is input\n',
        'gpiod_direction_output_raw_commit',
      );
      return -EIO;
    }
    ret = gpiochip_set(gc, offset, val);
  }
  if (ret === 0) desc.flags |= FLAG_IS_OUT;
  return ret;
}

/** Makes the line an output at logical `value`, honouring active-low (`gpiod_direction_output()`). */
export function gpiod_direction_output(desc: gpio_desc, value: number): number {
  const v = (value ? 1 : 0) ^ (desc.flags & FLAG_ACTIVE_LOW ? 1 : 0);
  return gpiod_direction_output_raw(desc, v);
}

function gpiochip_set(gc: gpio_chip, offset: number, value: number): number {
  if (!gc.set) return -EOPNOTSUPP;
  const ret = gc.set(gc, offset, value);
  return typeof ret === 'number' ? ret : 0;
}

/** The physical level, 0/1, or -errno (`gpiod_get_raw_value()`). */
export function gpiod_get_raw_value(desc: gpio_desc): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  const value = gc.get ? gc.get(gc, gpio_chip_hwgpio(desc)) : -EIO;
  return value < 0 ? value : value ? 1 : 0;
}

/** The logical value: 1 when active (`gpiod_get_value()`), or -errno. */
export function gpiod_get_value(desc: gpio_desc): number {
  const value = gpiod_get_raw_value(desc);
  if (value < 0) return value;
  return desc.flags & FLAG_ACTIVE_LOW ? value ^ 1 : value;
}

/** Drives the physical level (`gpiod_set_raw_value()`): 0 or -errno. */
export function gpiod_set_raw_value(desc: gpio_desc, value: number): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  return gpiochip_set(gc, gpio_chip_hwgpio(desc), value ? 1 : 0);
}

/** Drives the logical value (`gpiod_set_value()`): 0 or -errno. */
export function gpiod_set_value(desc: gpio_desc, value: number): number {
  const v = (value ? 1 : 0) ^ (desc.flags & FLAG_ACTIVE_LOW ? 1 : 0);
  return gpiod_set_raw_value(desc, v);
}

/** Runs `fn` for each chip of `descs` with the positions of its lines (descs of one gpio_device). */
function for_each_chip(
  descs: readonly gpio_desc[],
  fn: (gc: gpio_chip, idx: number[]) => number,
): number {
  const groups = new Map<gpio_device, number[]>();
  descs.forEach((d, i) => {
    const g = groups.get(d.gdev) ?? [];
    g.push(i);
    groups.set(d.gdev, g);
  });
  for (const [gdev, idx] of groups) {
    if (!gdev.chip) return -ENODEV;
    const ret = fn(gdev.chip, idx);
    if (ret) return ret;
  }
  return 0;
}

function bitmap_of(gc: gpio_chip): gpio_bitmap {
  return new Uint32Array((gc.ngpio + 31) >> 5);
}

/**
 * Reads several lines at once (`gpiod_get_array_value()`), one `get_multiple` call per
 * chip when the chip has it: fills `values` with the logical values; 0 or -errno.
 */
export function gpiod_get_array_value(descs: readonly gpio_desc[], values: number[]): number {
  return for_each_chip(descs, (gc, idx) => {
    if (gc.get_multiple) {
      const mask = bitmap_of(gc);
      const bits = bitmap_of(gc);
      for (const i of idx) {
        const hw = gpio_chip_hwgpio(descs[i]!);
        mask[hw >> 5]! |= 1 << (hw & 31);
      }
      const ret = gc.get_multiple(gc, mask, bits);
      if (ret < 0) return ret;
      for (const i of idx) {
        const d = descs[i]!;
        const hw = gpio_chip_hwgpio(d);
        const raw = (bits[hw >> 5]! >>> (hw & 31)) & 1;
        values[i] = d.flags & FLAG_ACTIVE_LOW ? raw ^ 1 : raw;
      }
      return 0;
    }
    for (const i of idx) {
      const v = gpiod_get_value(descs[i]!);
      if (v < 0) return v;
      values[i] = v;
    }
    return 0;
  });
}

/**
 * Drives several lines at once (`gpiod_set_array_value()`), one `set_multiple` call per
 * chip when the chip has it; `values` are logical. 0 or -errno.
 */
export function gpiod_set_array_value(
  descs: readonly gpio_desc[],
  values: readonly number[],
): number {
  return for_each_chip(descs, (gc, idx) => {
    if (gc.set_multiple) {
      const mask = bitmap_of(gc);
      const bits = bitmap_of(gc);
      for (const i of idx) {
        const d = descs[i]!;
        const hw = gpio_chip_hwgpio(d);
        mask[hw >> 5]! |= 1 << (hw & 31);
        const v = (values[i] ? 1 : 0) ^ (d.flags & FLAG_ACTIVE_LOW ? 1 : 0);
        if (v) bits[hw >> 5]! |= 1 << (hw & 31);
      }
      return gc.set_multiple(gc, mask, bits) ?? 0;
    }
    for (const i of idx) {
      const ret = gpiod_set_value(descs[i]!, values[i]!);
      if (ret) return ret;
    }
    return 0;
  });
}

/** The `_cansleep` variants: the same calls, allowed for chips that sleep. */
export const gpiod_get_value_cansleep = gpiod_get_value;
export const gpiod_set_value_cansleep = gpiod_set_value;

/** Whether the line is active-low (`gpiod_is_active_low()`). */
export function gpiod_is_active_low(desc: gpio_desc): boolean {
  return (desc.flags & FLAG_ACTIVE_LOW) !== 0;
}

/** Inverts the line's logical sense (`gpiod_toggle_active_low()`). */
export function gpiod_toggle_active_low(desc: gpio_desc): void {
  desc.flags ^= FLAG_ACTIVE_LOW;
}

/** Whether the chip's operations may sleep (`gpiod_cansleep()`). */
export function gpiod_cansleep(desc: gpio_desc): boolean {
  return desc.gdev.chip?.can_sleep ?? false;
}

/**
 * The Linux irq of the line (`gpiod_to_irq()`): -ENODEV when the chip is gone,
 * -ENXIO when it has no interrupts or the line cannot be one.
 */
export function gpiod_to_irq(desc: gpio_desc): number {
  const gc = desc.gdev.chip;
  if (!gc) return -ENODEV;
  if (gc.to_irq) {
    const ret = gc.to_irq(gc, gpio_chip_hwgpio(desc));
    // Zero means NO_IRQ.
    return ret === 0 ? -ENXIO : ret;
  }
  return -ENXIO;
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

/**
 * Locks a line as an interrupt (`gpiochip_lock_as_irq()`): an output line
 * cannot be one (-EIO, `tried to flag a GPIO set as output for IRQ`).
 */
export function gpiochip_lock_as_irq(gc: gpio_chip, offset: number): number {
  const desc = gc.gpiodev?.descs[offset];
  if (!desc) return -EINVAL;
  if (!gc.can_sleep && gc.get_direction) {
    const dir = gpiod_get_direction(desc);
    if (dir < 0) {
      chip_err(gc, '%s: cannot get GPIO direction\n', 'gpiochip_lock_as_irq');
      return dir;
    }
  }
  if (desc.flags & FLAG_IS_OUT && !(desc.flags & FLAG_OPEN_DRAIN)) {
    chip_err(gc, '%s: tried to flag a GPIO set as output for IRQ\n', 'gpiochip_lock_as_irq');
    return -EIO;
  }
  desc.flags |= FLAG_USED_AS_IRQ | FLAG_IRQ_IS_ENABLED;
  desc.label ??= 'interrupt';
  return 0;
}

/** Undoes gpiochip_lock_as_irq() (`gpiochip_unlock_as_irq()`). */
export function gpiochip_unlock_as_irq(gc: gpio_chip, offset: number): void {
  const desc = gc.gpiodev?.descs[offset];
  if (!desc) return;
  desc.flags &= ~(FLAG_USED_AS_IRQ | FLAG_IRQ_IS_ENABLED);
  if (desc.label === 'interrupt') desc.label = undefined;
}

/**
 * Pins the driver's module and locks the line as an interrupt when an irq of it
 * is requested (`gpiochip_reqres_irq()`): 0, -ENODEV or the lock's error.
 */
export function gpiochip_reqres_irq(gc: gpio_chip, offset: number): number {
  const owner = gc.gpiodev?.owner as module | undefined;
  if (!try_module_get(owner)) return -ENODEV;
  const ret = gpiochip_lock_as_irq(gc, offset);
  if (ret) {
    chip_err(gc, 'unable to lock HW IRQ %d for IRQ\n', offset);
    module_put(owner);
    return ret;
  }
  return 0;
}

/** Undoes gpiochip_reqres_irq() (`gpiochip_relres_irq()`). */
export function gpiochip_relres_irq(gc: gpio_chip, offset: number): void {
  gpiochip_unlock_as_irq(gc, offset);
  module_put(gc.gpiodev?.owner as module | undefined);
}

/** An irq of the line was enabled (`gpiochip_enable_irq()`), called from the chip's unmask. */
export function gpiochip_enable_irq(gc: gpio_chip, offset: number): void {
  const desc = gc.gpiodev?.descs[offset];
  if (!desc) return;
  WARN_ON(!(desc.flags & FLAG_USED_AS_IRQ));
  if (!(desc.flags & FLAG_IS_OUT) || desc.flags & FLAG_OPEN_DRAIN)
    desc.flags |= FLAG_IRQ_IS_ENABLED;
}

/** An irq of the line was disabled (`gpiochip_disable_irq()`), called from the chip's mask. */
export function gpiochip_disable_irq(gc: gpio_chip, offset: number): void {
  const desc = gc.gpiodev?.descs[offset];
  if (desc) desc.flags &= ~FLAG_IRQ_IS_ENABLED;
}
