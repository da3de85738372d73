/**
 * The consumer side of gpiolib (drivers/gpio/gpiolib.c, include/linux/gpio/consumer.h):
 * descriptors and the calls on them. A consumer finds a line
 * ({@link gpio_device_get_desc}, {@link gpio_to_desc}), claims it
 * ({@link gpiod_request}, which pins the gpio_device and the driver's module), drives
 * and reads it, and gives it back ({@link gpiod_free}). `gpiod_get_value` and friends
 * are logical (an active-low line reads 1 when low), the `_raw_` ones physical; every
 * call fails with -ENODEV once the line's chip was removed.
 *
 * @module
 */

import { dev_name, get_device, put_device } from '../base/device.js';
import { EBADE, EBUSY, EINVAL, EIO, ENODEV, ENXIO, EOPNOTSUPP, EPROBE_DEFER } from '../errno.js';
import { type module, module_put, try_module_get } from '../module/module.js';
import { WARN_ON } from '../panic.js';
import { pr_debug, pr_err, pr_warn } from '../printk.js';
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
  type gpio_device,
} from './driver.js';
import {
  desc_to_gpio,
  gpio_chip_hwgpio,
  gpio_device_find_by_label,
  gpio_device_list,
  gpiochip_line_is_valid,
} from './gpiolib.js';
import {
  GPIO_V2_LINE_CHANGED_CONFIG,
  GPIO_V2_LINE_CHANGED_RELEASED,
  GPIO_V2_LINE_CHANGED_REQUESTED,
} from './uapi.js';

/** `gpiod_err()`-style prefix: `gpio-<N> (<label>): `. */
function gpiod_err(desc: gpio_desc, fmt: string, ...args: unknown[]): void {
  pr_err(`gpio-%d (%s): ${fmt}`, desc_to_gpio(desc), desc.label ?? '?', ...args);
}

function gpiod_warn(desc: gpio_desc, fmt: string, ...args: unknown[]): void {
  pr_warn(`gpio-%d (%s): ${fmt}`, desc_to_gpio(desc), desc.label ?? '?', ...args);
}

/** `gpiochip_get_direction()`: the chip's answer, checked to be IN/OUT or an errno. */
export function gpiochip_get_direction(gc: gpio_chip, offset: number): number {
  if (!gc.get_direction) return -EOPNOTSUPP;
  const ret = gc.get_direction(gc, offset);
  if (ret < 0) return ret;
  if (WARN_ON(ret !== GPIO_LINE_DIRECTION_IN && ret !== GPIO_LINE_DIRECTION_OUT)) return -EBADE;
  return ret;
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
  for (const gdev of gpio_device_list()) {
    if (gpio >= gdev.base && gpio < gdev.base + gdev.ngpio) return gdev.descs[gpio - gdev.base]!;
  }
  if (gpio < 0) pr_warn('invalid GPIO %d\n', gpio);
  return null;
}

/** The chip behind a descriptor, or null once it was removed (`gpiod_to_chip()`). */
export function gpiod_to_chip(desc: gpio_desc): gpio_chip | null {
  return desc.gdev.chip;
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
  gpiod_line_state_notify(desc, GPIO_V2_LINE_CHANGED_RELEASED);
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
    return gpiod_direction_output_nonotify(desc, dflags & GPIOD_FLAGS_BIT_DIR_VAL ? 1 : 0);
  }
  return gpiod_direction_input_nonotify(desc);
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
  gpiod_line_state_notify(desc, GPIO_V2_LINE_CHANGED_REQUESTED);
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

/** gpiod_direction_input() without telling the line's watchers (`gpiod_direction_input_nonotify()`). */
export function gpiod_direction_input_nonotify(desc: gpio_desc): number {
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

/** gpiod_direction_output_raw() without telling the line's watchers. */
function gpiod_direction_output_raw_commit(desc: gpio_desc, value: number): number {
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

/** gpiod_direction_output() without telling the line's watchers (`gpiod_direction_output_nonotify()`). */
export function gpiod_direction_output_nonotify(desc: gpio_desc, value: number): number {
  const v = (value ? 1 : 0) ^ (desc.flags & FLAG_ACTIVE_LOW ? 1 : 0);
  return gpiod_direction_output_raw_commit(desc, v);
}

/**
 * Tells whoever watches the line (an open `/dev/gpiochipN` with
 * GPIO_V2_GET_LINEINFO_WATCH_IOCTL) that it was requested, released or reconfigured
 * (`gpiod_line_state_notify()`); `action` is a GPIO_V2_LINE_CHANGED_* value.
 */
export function gpiod_line_state_notify(desc: gpio_desc, action: number): void {
  for (const watcher of [...desc.gdev.line_state]) watcher(desc, action);
}

function notify_config(desc: gpio_desc, ret: number): number {
  if (ret === 0) gpiod_line_state_notify(desc, GPIO_V2_LINE_CHANGED_CONFIG);
  return ret;
}

/** Makes the line an input (`gpiod_direction_input()`): 0 or -errno. */
export function gpiod_direction_input(desc: gpio_desc): number {
  return notify_config(desc, gpiod_direction_input_nonotify(desc));
}

/** Makes the line an output at physical level `value` (`gpiod_direction_output_raw()`). */
export function gpiod_direction_output_raw(desc: gpio_desc, value: number): number {
  return notify_config(desc, gpiod_direction_output_raw_commit(desc, value));
}

/** Makes the line an output at logical `value`, honouring active-low (`gpiod_direction_output()`). */
export function gpiod_direction_output(desc: gpio_desc, value: number): number {
  return notify_config(desc, gpiod_direction_output_nonotify(desc, value));
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
