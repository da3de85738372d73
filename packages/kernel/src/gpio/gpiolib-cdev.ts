/**
 * The GPIO character device (drivers/gpio/gpiolib-cdev.c): `/dev/gpiochipN`,
 * ABI version 2.
 *
 * An open chip file answers GPIO_GET_CHIPINFO_IOCTL and
 * GPIO_V2_GET_LINEINFO_IOCTL, and GPIO_V2_GET_LINE_IOCTL claims lines and
 * returns a new descriptor, an anonymous `gpio-line` file: its ioctls read and
 * drive the lines (GPIO_V2_LINE_GET_VALUES/SET_VALUES) and reconfigure them
 * (SET_CONFIG); with edge detection configured, read() returns the edges as
 * 48-byte `struct gpio_v2_line_event`s and poll() reports EPOLLIN while any are
 * queued. Edges are caught by a threaded interrupt on the line's irq: the hard
 * handler takes the timestamp, the thread queues the event. This file is the
 * chip file; the line requests are `linereq.ts`, their events `line-events.ts`.
 *
 * Both files hold a reference on the gpio_device, not on the driver: once the
 * chip is removed (the driver unbound, the device unplugged) every ioctl and
 * read returns -ENODEV and poll returns EPOLLHUP | EPOLLERR, and a reader
 * sleeping for an event is woken to see it; closing still works and drops the
 * last references. GPIO_V2_GET_LINEINFO_WATCH_IOCTL makes the chip file report
 * each watched line's requests, releases and reconfigurations as
 * `struct gpio_v2_line_info_changed` records through read() and poll(). The ABI v1
 * ioctls (CONFIG_GPIO_CDEV_V1) are not built: they return -EINVAL like any unknown
 * command.
 *
 * Event timestamps are CLOCK_MONOTONIC (the machine has no separate real-time
 * clock, so GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME stamps the same way); HTE
 * stamping is refused with -EOPNOTSUPP, as without CONFIG_HTE.
 *
 * A debounce period (GPIO_V2_LINE_ATTR_ID_DEBOUNCE) is done in software, as for
 * every chip without hardware debounce: each edge restarts a delayed work item,
 * and only when the line has been quiet for the period is its level read and,
 * if it changed, reported — a bouncing button gives one event per press.
 *
 * @module
 */

import { dev_name, get_device, put_device } from '../base/device.js';
import { EBUSY, EFAULT, EINVAL, ENODEV } from '../errno.js';
import {
  alloc_chrdev_region,
  cdev,
  cdev_add,
  cdev_del,
  cdev_init,
  chrdev_show,
} from '../fs/char_dev.js';
import { devtmpfs_create_node, devtmpfs_delete_node } from '../fs/devtmpfs.js';
import type { file, file_operations, inode, loff_ref, poll_table } from '../fs/fs.js';
import { MAJOR, MKDEV } from '../fs/kdev_t.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLRDNORM, poll_wait } from '../fs/select.js';
import { DECLARE_WAIT_QUEUE_HEAD, type wait_queue_head, wake_up_all } from '../locking/wait.js';
import { pr_debug } from '../printk.js';
import { ktime_get_ns } from '../time/clock.js';
import { read_records } from './cdev-read.js';
import {
  FLAG_ACTIVE_LOW,
  FLAG_BIAS_DISABLE,
  FLAG_EDGE_FALLING,
  FLAG_EDGE_RISING,
  FLAG_EXPORT,
  FLAG_IS_HOGGED,
  FLAG_IS_OUT,
  FLAG_OPEN_DRAIN,
  FLAG_OPEN_SOURCE,
  FLAG_PULL_DOWN,
  FLAG_PULL_UP,
  FLAG_REQUESTED,
  FLAG_SYSFS,
  FLAG_USED_AS_IRQ,
  type gpio_desc,
  type gpio_device,
} from './driver.js';
import { gpio_chip_hwgpio } from './gpiolib.js';
import {
  get_user_struct,
  line_debounce_period,
  linereq_create,
  put_user_struct,
} from './linereq.js';
import {
  decode_gpio_v2_line_info,
  encode_gpio_v2_line_info,
  encode_gpio_v2_line_info_changed,
  encode_gpiochip_info,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_GET_LINEINFO_UNWATCH_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_GET_LINEINFO_IOCTL,
  GPIO_V2_GET_LINEINFO_WATCH_IOCTL,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OPEN_DRAIN,
  GPIO_V2_LINE_FLAG_OPEN_SOURCE,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_FLAG_USED,
  GPIO_V2_LINE_INFO_CHANGED_SIZE,
  GPIO_V2_LINE_INFO_SIZE,
  type gpio_v2_line_attribute,
  type gpio_v2_line_info_changed,
} from './uapi.js';

const GPIO_DEV_MAX = 256;

/** The first number of the `gpiochip` region (`gpio_devt`), 0 before gpiolib booted. */
let gpio_devt = 0;
const chrdevs = new Map<cdev, gpio_device>();

/**
 * Reserves the `gpiochip` character-device numbers; part of gpio_init(). A region kept
 * from an earlier gpio_init() of the same boot is reused; one a reboot of the
 * character-device layer (`chrdev_init()`) forgot is allocated again.
 */
export function gpiolib_cdev_init(): void {
  for (const c of chrdevs.keys()) cdev_del(c);
  chrdevs.clear();
  const major = MAJOR(gpio_devt);
  if (
    gpio_devt &&
    chrdev_show()
      .split('\n')
      .some((l) => l.trim() === `${major} gpiochip`)
  )
    return;
  const dev = { value: 0 };
  gpio_devt = alloc_chrdev_region(dev, 0, GPIO_DEV_MAX, 'gpiochip') === 0 ? dev.value : 0;
}

/** What `gpioinfo` sees of a line (`gpio_desc_to_lineinfo()`). */
function gpio_desc_to_lineinfo(desc: gpio_desc, offset: number): Uint8Array {
  const f = desc.flags;
  let flags = 0;
  if (f & (FLAG_REQUESTED | FLAG_IS_HOGGED | FLAG_USED_AS_IRQ | FLAG_EXPORT | FLAG_SYSFS)) {
    flags |= GPIO_V2_LINE_FLAG_USED;
  }
  flags |= f & FLAG_IS_OUT ? GPIO_V2_LINE_FLAG_OUTPUT : GPIO_V2_LINE_FLAG_INPUT;
  if (f & FLAG_ACTIVE_LOW) flags |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
  if (f & FLAG_OPEN_DRAIN) flags |= GPIO_V2_LINE_FLAG_OPEN_DRAIN;
  if (f & FLAG_OPEN_SOURCE) flags |= GPIO_V2_LINE_FLAG_OPEN_SOURCE;
  if (f & FLAG_BIAS_DISABLE) flags |= GPIO_V2_LINE_FLAG_BIAS_DISABLED;
  if (f & FLAG_PULL_DOWN) flags |= GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN;
  if (f & FLAG_PULL_UP) flags |= GPIO_V2_LINE_FLAG_BIAS_PULL_UP;
  if (f & FLAG_EDGE_RISING) flags |= GPIO_V2_LINE_FLAG_EDGE_RISING;
  if (f & FLAG_EDGE_FALLING) flags |= GPIO_V2_LINE_FLAG_EDGE_FALLING;
  const attrs: gpio_v2_line_attribute[] = [];
  const debounce = line_debounce_period(desc);
  if (debounce) attrs.push({ id: GPIO_V2_LINE_ATTR_ID_DEBOUNCE, value: BigInt(debounce) });
  return encode_gpio_v2_line_info({
    name: desc.name ?? '',
    consumer: desc.label ?? '',
    offset,
    flags: BigInt(flags),
    attrs,
  });
}

/** The chip file's state (`struct gpio_chardev_data`). */
interface gpio_chardev_data {
  readonly gdev: gpio_device;
  /** The offsets of the lines this file watches (`watched_lines`). */
  readonly watched: Set<number>;
  /** Line state changes not read yet (`events`, a 32-entry FIFO). */
  readonly events: gpio_v2_line_info_changed[];
  readonly wait: wait_queue_head;
  /** Registered on the gpio_device's line state notifier. */
  readonly changed: (desc: gpio_desc, action: number) => void;
  /** Registered on the gpio_device's removal notifier. */
  readonly unregistered: () => void;
}

/** How many line state changes a chip file keeps before dropping new ones. */
const LINEINFO_FIFO_SIZE = 32;

function lineinfo_get(cdev_data: gpio_chardev_data, arg: number, watch: boolean): number {
  const raw = get_user_struct(arg, GPIO_V2_LINE_INFO_SIZE);
  if (!raw) return -EFAULT;
  // Everything but the offset is reserved on the way in and must be zero.
  const info = decode_gpio_v2_line_info(raw);
  if (raw.subarray(240, 256).some((x) => x !== 0)) return -EINVAL;
  const desc = cdev_data.gdev.descs[info.offset];
  if (!desc) return -EINVAL;
  if (watch) {
    if (cdev_data.watched.has(info.offset)) return -EBUSY;
    cdev_data.watched.add(info.offset);
  }
  return put_user_struct(arg, gpio_desc_to_lineinfo(desc, info.offset));
}

function lineinfo_unwatch(cdev_data: gpio_chardev_data, arg: number): number {
  const raw = get_user_struct(arg, 4);
  if (!raw) return -EFAULT;
  const offset = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0, true);
  if (!cdev_data.gdev.descs[offset]) return -EINVAL;
  if (!cdev_data.watched.delete(offset)) return -EBUSY;
  return 0;
}

/** `lineinfo_changed_notify()`: queues the change of a watched line and wakes the reader. */
function lineinfo_changed_notify(
  cdev_data: gpio_chardev_data,
  desc: gpio_desc,
  action: number,
): void {
  const offset = gpio_chip_hwgpio(desc);
  if (!cdev_data.watched.has(offset)) return;
  if (cdev_data.events.length >= LINEINFO_FIFO_SIZE) {
    pr_debug('lineinfo event FIFO is full - event dropped\n');
    return;
  }
  cdev_data.events.push({
    info: decode_gpio_v2_line_info(gpio_desc_to_lineinfo(desc, offset)),
    timestamp_ns: BigInt(ktime_get_ns()),
    event_type: action,
  });
  wake_up_all(cdev_data.wait);
}

function gpio_ioctl(filp: file, cmd: number, arg: number): number {
  const cdev_data = filp.private_data as gpio_chardev_data;
  const gdev = cdev_data.gdev;
  if (!gdev.chip) return -ENODEV;
  switch (cmd >>> 0) {
    case GPIO_GET_CHIPINFO_IOCTL >>> 0:
      return put_user_struct(
        arg,
        encode_gpiochip_info({ name: dev_name(gdev.dev), label: gdev.label, lines: gdev.ngpio }),
      );
    case GPIO_V2_GET_LINEINFO_IOCTL >>> 0:
      return lineinfo_get(cdev_data, arg, false);
    case GPIO_V2_GET_LINEINFO_WATCH_IOCTL >>> 0:
      return lineinfo_get(cdev_data, arg, true);
    case GPIO_GET_LINEINFO_UNWATCH_IOCTL >>> 0:
      return lineinfo_unwatch(cdev_data, arg);
    case GPIO_V2_GET_LINE_IOCTL >>> 0:
      return linereq_create(gdev, arg);
    default:
      return -EINVAL;
  }
}

/** `lineinfo_watch_read()`: whole `gpio_v2_line_info_changed` records, sleeping for one. */
function lineinfo_watch_read(
  filp: file,
  buf: number,
  count: number,
  _ppos: loff_ref,
): Promise<number> {
  const cdev_data = filp.private_data as gpio_chardev_data;
  return read_records(
    filp,
    cdev_data,
    buf,
    count,
    GPIO_V2_LINE_INFO_CHANGED_SIZE,
    encode_gpio_v2_line_info_changed,
  );
}

/** `gpio_chrdev_open()`: refuses a chip that is gone; pins the gpio_device. */
function gpio_chrdev_open(node: inode, filp: file): number {
  const gdev = [...chrdevs].find(([c]) => c.dev === node.i_rdev)?.[1];
  if (!gdev?.chip) return -ENODEV;
  get_device(gdev.dev);
  const cdev_data: gpio_chardev_data = {
    gdev,
    watched: new Set(),
    events: [],
    wait: DECLARE_WAIT_QUEUE_HEAD(),
    changed: (desc, action) => lineinfo_changed_notify(cdev_data, desc, action),
    unregistered: () => wake_up_all(cdev_data.wait),
  };
  gdev.line_state.add(cdev_data.changed);
  gdev.notify.add(cdev_data.unregistered);
  filp.private_data = cdev_data;
  return 0;
}

function gpio_chrdev_release(_node: inode, filp: file): number {
  const cdev_data = filp.private_data as gpio_chardev_data;
  cdev_data.gdev.line_state.delete(cdev_data.changed);
  cdev_data.gdev.notify.delete(cdev_data.unregistered);
  put_device(cdev_data.gdev.dev);
  return 0;
}

/** `lineinfo_watch_poll()`: EPOLLIN while changes are queued. */
function gpio_chrdev_poll(filp: file, wait: poll_table | null): number {
  const cdev_data = filp.private_data as gpio_chardev_data;
  if (!cdev_data.gdev.chip) return EPOLLHUP | EPOLLERR;
  poll_wait(filp, cdev_data.wait, wait);
  return cdev_data.events.length > 0 ? EPOLLIN | EPOLLRDNORM : 0;
}

const gpio_fileops: file_operations = {
  open: gpio_chrdev_open,
  release: gpio_chrdev_release,
  read: lineinfo_watch_read,
  poll: gpio_chrdev_poll,
  unlocked_ioctl: gpio_ioctl,
};

/** `gcdev_register()`: the cdev and node `/dev/gpiochipN` of a gpio_device. */
export function gcdev_register(gdev: gpio_device): number {
  if (!gpio_devt) return 0;
  const devt = MKDEV(MAJOR(gpio_devt), gdev.id);
  gdev.dev.devt = devt;
  const c = new cdev();
  cdev_init(c, gpio_fileops);
  c.owner = gdev.owner;
  const ret = cdev_add(c, devt, 1);
  if (ret) return ret;
  chrdevs.set(c, gdev);
  devtmpfs_create_node(dev_name(gdev.dev), 0o600, devt);
  return 0;
}

/** `gcdev_unregister()`: no new opens; files already open keep the gpio_device. */
export function gcdev_unregister(gdev: gpio_device): void {
  for (const [c, g] of chrdevs) {
    if (g !== gdev) continue;
    chrdevs.delete(c);
    devtmpfs_delete_node(dev_name(gdev.dev), gdev.dev.devt);
    cdev_del(c);
  }
}
