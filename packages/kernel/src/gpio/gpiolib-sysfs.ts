/**
 * The legacy sysfs interface of gpiolib (drivers/gpio/gpiolib-sysfs.c):
 * `/sys/class/gpio`.
 *
 * Every chip appears as `gpiochip<base>` with `base`, `label` and `ngpio`.
 * Writing a global GPIO number to `export` claims the line for "sysfs" and
 * creates `gpio<N>` with `direction` (`in`, `out`, `low`, `high`), `value`
 * (writable only while the line is an output: -EPERM otherwise), `edge`
 * (`none`, `rising`, `falling`, `both`; present only when the line can be an
 * interrupt) and `active_low`. Writing the number to `unexport` gives it back.
 * A bad number is -EINVAL with `export_store: invalid GPIO N`; a line already
 * claimed is -EBUSY. Removing the chip unexports its lines first.
 *
 * Setting `edge` requests the line's interrupt; every edge then notifies the
 * line's `value` file (`sysfs_notify_dirent()`): a poll() of an open `value`
 * reports POLLPRI | POLLERR until the file is read again, the way sysfs users
 * have waited for GPIO edges since before the character device.
 *
 * @module
 */

import { sysfs_streq } from '../base/bus.js';
import {
  type class_device,
  class_device_unregister,
  class_kobj,
  class_register,
  class_unregister,
  type device_attribute,
  type device_class,
  device_create_with_groups,
} from '../drivers/char/class_device.js';
import { EBUSY, EINVAL, EIO, EPERM } from '../errno.js';
import type { attribute } from '../fs/sysfs/file.js';
import { __ATTR_WO, sysfs_create_file, sysfs_notify } from '../fs/sysfs/file.js';
import type { attribute_group } from '../fs/sysfs/group.js';
import {
  IRQ_HANDLED,
  IRQF_SHARED,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_RISING,
} from '../irq/irqdesc.js';
import { free_irq, request_irq } from '../irq/manage.js';
import type { kobject } from '../lib/kobject.js';
import { pr_debug, pr_warn } from '../printk.js';
import {
  gpio_to_desc,
  gpiod_direction_input,
  gpiod_direction_output_raw,
  gpiod_free,
  gpiod_get_direction,
  gpiod_get_value,
  gpiod_request,
  gpiod_set_value,
  gpiod_to_irq,
} from './consumer.js';
import {
  FLAG_ACTIVE_LOW,
  FLAG_EXPORT,
  FLAG_IS_OUT,
  FLAG_REQUESTED,
  FLAG_SYSFS,
  type gpio_desc,
  type gpio_device,
} from './driver.js';
import { desc_to_gpio } from './gpiolib.js';

const GPIO_TRIGGER_RISING = 1;
const GPIO_TRIGGER_FALLING = 2;
const trigger_types: [string, number][] = [
  ['none', 0],
  ['falling', GPIO_TRIGGER_FALLING],
  ['rising', GPIO_TRIGGER_RISING],
  ['both', GPIO_TRIGGER_FALLING | GPIO_TRIGGER_RISING],
];

/** An exported line (`struct gpiod_data`). */
interface gpiod_data {
  readonly desc: gpio_desc;
  readonly dev: class_device;
  irq: number;
  irq_flags: number;
  edges: number;
}

const gpio_class: device_class = { name: 'gpio' };
/** The `gpiochip<base>` class device of each registered gpio_device (`gdev->mockdev`). */
let mockdevs = new Map<gpio_device, class_device>();
let exported = new Map<gpio_desc, gpiod_data>();

/** `kstrtol(buf, 0, &v)`: decimal, 0x hex or 0 octal, one trailing newline allowed. */
function kstrtol(buf: string): number | null {
  const s = buf.replace(/\n$/, '');
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const body = m[2]!;
  const v =
    body.startsWith('0x') || body.startsWith('0X')
      ? Number.parseInt(body.slice(2), 16)
      : body.length > 1 && body.startsWith('0')
        ? Number.parseInt(body.slice(1), 8)
        : Number.parseInt(body, 10);
  return m[1] === '-' ? -v : v;
}

function data_of(dev: class_device): gpiod_data {
  return dev.driver_data as gpiod_data;
}

const dev_attr_direction: device_attribute = {
  name: 'direction',
  mode: 0o644,
  show: (dev) => {
    const desc = data_of(dev).desc;
    gpiod_get_direction(desc);
    return desc.flags & FLAG_IS_OUT ? 'out\n' : 'in\n';
  },
  store: (dev, _attr, buf) => {
    const desc = data_of(dev).desc;
    let status: number;
    if (sysfs_streq(buf, 'high')) status = gpiod_direction_output_raw(desc, 1);
    else if (sysfs_streq(buf, 'out') || sysfs_streq(buf, 'low'))
      status = gpiod_direction_output_raw(desc, 0);
    else if (sysfs_streq(buf, 'in')) status = gpiod_direction_input(desc);
    else status = -EINVAL;
    return status || buf.length;
  },
};

const dev_attr_value: device_attribute = {
  name: 'value',
  mode: 0o644,
  show: (dev) => {
    const v = gpiod_get_value(data_of(dev).desc);
    return v < 0 ? v : `${v}\n`;
  },
  store: (dev, _attr, buf) => {
    const desc = data_of(dev).desc;
    if (!(desc.flags & FLAG_IS_OUT)) return -EPERM;
    const v = kstrtol(buf);
    if (v === null) return -EINVAL;
    const ret = gpiod_set_value(desc, v);
    return ret || buf.length;
  },
};

function gpio_sysfs_irq(_irq: number, dev_id: unknown): number {
  const data = dev_id as gpiod_data;
  data.edges += 1;
  sysfs_notify(data.dev.kobj, null, 'value');
  return IRQ_HANDLED;
}

/** `gpio_sysfs_request_irq()`: the line's interrupt for the requested edges. */
function gpio_sysfs_request_irq(data: gpiod_data, flags: number): number {
  const desc = data.desc;
  const irq = gpiod_to_irq(desc);
  if (irq < 0) return -EIO;
  const active_low = (desc.flags & FLAG_ACTIVE_LOW) !== 0;
  let irq_flags = IRQF_SHARED;
  if (flags & GPIO_TRIGGER_FALLING) {
    irq_flags |= active_low ? IRQF_TRIGGER_RISING : IRQF_TRIGGER_FALLING;
  }
  if (flags & GPIO_TRIGGER_RISING) {
    irq_flags |= active_low ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING;
  }
  const ret = request_irq(irq, gpio_sysfs_irq, irq_flags, 'gpiolib', data);
  if (ret) return ret;
  data.irq = irq;
  data.irq_flags = flags;
  return 0;
}

function gpio_sysfs_free_irq(data: gpiod_data): void {
  if (data.irq) free_irq(data.irq, data);
  data.irq = 0;
  data.irq_flags = 0;
}

const dev_attr_edge: device_attribute = {
  name: 'edge',
  mode: 0o644,
  show: (dev) => {
    const flags = data_of(dev).irq_flags;
    return `${trigger_types.find(([, f]) => f === flags)?.[0] ?? 'none'}\n`;
  },
  store: (dev, _attr, buf) => {
    const data = data_of(dev);
    const type = trigger_types.find(([name]) => sysfs_streq(buf, name));
    if (!type) return -EINVAL;
    const flags = type[1];
    if (flags === data.irq_flags) return buf.length;
    gpio_sysfs_free_irq(data);
    const status = flags ? gpio_sysfs_request_irq(data, flags) : 0;
    return status || buf.length;
  },
};

const dev_attr_active_low: device_attribute = {
  name: 'active_low',
  mode: 0o644,
  show: (dev) => `${data_of(dev).desc.flags & FLAG_ACTIVE_LOW ? 1 : 0}\n`,
  store: (dev, _attr, buf) => {
    const data = data_of(dev);
    const v = kstrtol(buf);
    if (v === null) return -EINVAL;
    const want = v !== 0;
    if (want === ((data.desc.flags & FLAG_ACTIVE_LOW) !== 0)) return buf.length;
    data.desc.flags ^= FLAG_ACTIVE_LOW;
    // A single-edge trigger follows the logical edge: re-request it the other way.
    const flags = data.irq_flags;
    if (flags === GPIO_TRIGGER_RISING || flags === GPIO_TRIGGER_FALLING) {
      gpio_sysfs_free_irq(data);
      const status = gpio_sysfs_request_irq(data, flags);
      if (status) return status;
    }
    return buf.length;
  },
};

const gpio_group: attribute_group = {
  attrs: [dev_attr_direction, dev_attr_edge, dev_attr_value, dev_attr_active_low],
  is_visible: (kobj: kobject, attr: attribute) => {
    const dev = kobj.container as class_device;
    if (attr === dev_attr_edge && gpiod_to_irq(data_of(dev).desc) < 0) return 0;
    return attr.mode;
  },
};

function chip_of(dev: class_device): gpio_device {
  return dev.driver_data as gpio_device;
}

const gpiochip_attrs: device_attribute[] = [
  { name: 'base', mode: 0o444, show: (dev) => `${chip_of(dev).base}\n` },
  { name: 'label', mode: 0o444, show: (dev) => `${chip_of(dev).label}\n` },
  { name: 'ngpio', mode: 0o444, show: (dev) => `${chip_of(dev).ngpio}\n` },
];

const gpiochip_group: attribute_group = { attrs: gpiochip_attrs };

/**
 * Exports a claimed line to sysfs (`gpiod_export()`): `gpio<N>` below its
 * chip's device. 0, -EPERM for an unclaimed line, -EBUSY when already exported.
 */
export function gpiod_export(desc: gpio_desc, _direction_may_change: boolean): number {
  const gdev = desc.gdev;
  if (!(desc.flags & FLAG_REQUESTED) || !gdev.chip) {
    pr_debug('%s: unavailable (not requested)\n', 'gpiod_export');
    return -EPERM;
  }
  if (desc.flags & FLAG_EXPORT) {
    pr_debug('%s: unavailable (already exported)\n', 'gpiod_export');
    return -EBUSY;
  }
  const data: gpiod_data = {
    desc,
    dev: undefined as unknown as class_device,
    irq: 0,
    irq_flags: 0,
    edges: 0,
  };
  const dev = device_create_with_groups(
    gpio_class,
    gdev.dev,
    0,
    data,
    [gpio_group],
    'gpio%u',
    desc_to_gpio(desc),
  );
  if (typeof dev === 'number') return dev;
  (data as { dev: class_device }).dev = dev;
  desc.flags |= FLAG_EXPORT;
  exported.set(desc, data);
  return 0;
}

/** Removes a line's `gpio<N>` (`gpiod_unexport()`). */
export function gpiod_unexport(desc: gpio_desc): void {
  const data = exported.get(desc);
  if (!data) return;
  exported.delete(desc);
  desc.flags &= ~FLAG_EXPORT;
  gpio_sysfs_free_irq(data);
  class_device_unregister(data.dev);
}

/** How many edges the exported line's `edge` trigger has seen (each one notified `value`). */
export function gpio_sysfs_edge_count(desc: gpio_desc): number {
  return exported.get(desc)?.edges ?? 0;
}

function export_store(_kobj: kobject, _attr: unknown, buf: string): number {
  const gpio = kstrtol(buf);
  if (gpio === null) return -EINVAL;
  const desc = gpio_to_desc(gpio);
  if (!desc) {
    pr_warn('%s: invalid GPIO %d\n', 'export_store', gpio);
    return -EINVAL;
  }
  let status = gpiod_request(desc, 'sysfs');
  if (!status) {
    status = gpiod_export(desc, true);
    if (status < 0) gpiod_free(desc);
    else desc.flags |= FLAG_SYSFS;
  }
  if (status) pr_debug('%s: status %d\n', 'export_store', status);
  return status || buf.length;
}

function unexport_store(_kobj: kobject, _attr: unknown, buf: string): number {
  const gpio = kstrtol(buf);
  if (gpio === null) return -EINVAL;
  const desc = gpio_to_desc(gpio);
  if (!desc) {
    pr_warn('%s: invalid GPIO %d\n', 'unexport_store', gpio);
    return -EINVAL;
  }
  let status = -EINVAL;
  if (desc.flags & FLAG_SYSFS) {
    desc.flags &= ~FLAG_SYSFS;
    gpiod_unexport(desc);
    gpiod_free(desc);
    status = 0;
  }
  if (status) pr_debug('%s: status %d\n', 'unexport_store', status);
  return status || buf.length;
}

/** Registers the `gpio` class and its `export`/`unexport` files; part of gpio_init(). */
export function gpiolib_sysfs_init(): void {
  class_unregister(gpio_class);
  mockdevs = new Map();
  exported = new Map();
  if (class_register(gpio_class)) return;
  const kobj = class_kobj(gpio_class);
  if (!kobj) return;
  sysfs_create_file(kobj, __ATTR_WO('export', export_store));
  sysfs_create_file(kobj, __ATTR_WO('unexport', unexport_store));
}

/** `gpiochip_sysfs_register()`: `/sys/class/gpio/gpiochip<base>`. */
export function gpiochip_sysfs_register(gdev: gpio_device): number {
  const parent = gdev.chip?.parent ?? gdev.dev;
  const dev = device_create_with_groups(
    gpio_class,
    parent,
    0,
    gdev,
    [gpiochip_group],
    'gpiochip%d',
    gdev.base,
  );
  if (typeof dev === 'number') return dev;
  mockdevs.set(gdev, dev);
  return 0;
}

/** `gpiochip_sysfs_unregister()`: the chip's entry goes, its exported lines are unexported. */
export function gpiochip_sysfs_unregister(gdev: gpio_device): void {
  const dev = mockdevs.get(gdev);
  if (!dev) return;
  mockdevs.delete(gdev);
  class_device_unregister(dev);
  for (const desc of gdev.descs) {
    if (!(desc.flags & FLAG_SYSFS)) continue;
    desc.flags &= ~FLAG_SYSFS;
    gpiod_unexport(desc);
    gpiod_free(desc);
  }
}
