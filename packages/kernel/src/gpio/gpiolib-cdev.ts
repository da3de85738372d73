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
 * handler takes the timestamp, the thread queues the event.
 *
 * Both files hold a reference on the gpio_device, not on the driver: once the
 * chip is removed (the driver unbound, the device unplugged) every ioctl and
 * read returns -ENODEV and poll returns EPOLLHUP | EPOLLERR, and a reader
 * sleeping for an event is woken to see it; closing still works and drops the
 * last references. The ABI v1 ioctls (CONFIG_GPIO_CDEV_V1) and line-info
 * watches are not built: they return -EINVAL like any unknown command.
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
import {
  EAGAIN,
  EFAULT,
  EINVAL,
  ENODEV,
  ENXIO,
  EOPNOTSUPP,
  EPERM,
  EPROBE_DEFER,
} from '../errno.js';
import {
  alloc_chrdev_region,
  cdev,
  cdev_add,
  cdev_del,
  cdev_init,
  chrdev_show,
} from '../fs/char_dev.js';
import { devtmpfs_create_node, devtmpfs_delete_node } from '../fs/devtmpfs.js';
import { O_CLOEXEC, O_NONBLOCK, O_RDONLY } from '../fs/fcntl.js';
import { fd_install, get_unused_fd_flags, put_unused_fd } from '../fs/fdtable.js';
import { anon_inode_getfile } from '../fs/file_pseudo.js';
import type { file, file_operations, inode, loff_ref, poll_table } from '../fs/fs.js';
import { MAJOR, MKDEV } from '../fs/kdev_t.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLRDNORM, poll_wait } from '../fs/select.js';
import { user_read_bytes, user_write_bytes } from '../fs/user_bytes.js';
import {
  IRQ_HANDLED,
  IRQ_NONE,
  IRQ_WAKE_THREAD,
  IRQF_ONESHOT,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_RISING,
} from '../irq/irqdesc.js';
import { free_irq, request_irq, request_threaded_irq } from '../irq/manage.js';
import { DECLARE_WAIT_QUEUE_HEAD, wait_event_interruptible, wake_up_all } from '../locking/wait.js';
import { pr_debug } from '../printk.js';
import {
  cancel_delayed_work,
  delayed_work,
  INIT_DELAYED_WORK,
  mod_delayed_work,
  system_wq,
} from '../sched/workqueue.js';
import { ktime_get_ns } from '../time/clock.js';
import { usecs_to_jiffies } from '../time/jiffies.js';
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
import {
  gpio_chip_hwgpio,
  gpiod_direction_input,
  gpiod_direction_output,
  gpiod_free,
  gpiod_get_array_value,
  gpiod_get_raw_value,
  gpiod_get_value,
  gpiod_request,
  gpiod_set_array_value,
  gpiod_to_irq,
} from './gpiolib.js';
import {
  decode_gpio_v2_line_config,
  decode_gpio_v2_line_info,
  decode_gpio_v2_line_request,
  decode_gpio_v2_line_values,
  encode_gpio_v2_line_event,
  encode_gpio_v2_line_info,
  encode_gpio_v2_line_values,
  encode_gpiochip_info,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_GET_LINEINFO_IOCTL,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_ATTR_ID_FLAGS,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_CONFIG_SIZE,
  GPIO_V2_LINE_EVENT_FALLING_EDGE,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_EVENT_SIZE,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE,
  GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OPEN_DRAIN,
  GPIO_V2_LINE_FLAG_OPEN_SOURCE,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_FLAG_USED,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_INFO_SIZE,
  GPIO_V2_LINE_REQUEST_SIZE,
  GPIO_V2_LINE_SET_CONFIG_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIO_V2_LINE_VALUES_SIZE,
  GPIO_V2_LINES_MAX,
  type gpio_v2_line_attribute,
  type gpio_v2_line_config,
  type gpio_v2_line_event,
} from './uapi.js';

const GPIO_DEV_MAX = 256;

const GPIO_V2_LINE_DIRECTION_FLAGS = GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT;
const GPIO_V2_LINE_DRIVE_FLAGS = GPIO_V2_LINE_FLAG_OPEN_DRAIN | GPIO_V2_LINE_FLAG_OPEN_SOURCE;
const GPIO_V2_LINE_EDGE_FLAGS = GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;
const GPIO_V2_LINE_BIAS_FLAGS =
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP |
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN |
  GPIO_V2_LINE_FLAG_BIAS_DISABLED;
const GPIO_V2_LINE_VALID_FLAGS =
  GPIO_V2_LINE_FLAG_ACTIVE_LOW |
  GPIO_V2_LINE_DIRECTION_FLAGS |
  GPIO_V2_LINE_DRIVE_FLAGS |
  GPIO_V2_LINE_EDGE_FLAGS |
  GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME |
  GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE |
  GPIO_V2_LINE_BIAS_FLAGS;

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

/** One requested line of a line request (`struct line`). */
interface line {
  readonly desc: gpio_desc;
  readonly req: linereq;
  /** The GPIO_V2_LINE_FLAG_EDGE_* the line detects (`edflags`). */
  edflags: number;
  /** The irq of its edge detector, 0 when none. */
  irq: number;
  /** The hard handler's timestamp of the edge the thread is about to queue. */
  timestamp_ns: bigint;
  /** The hard handler's reading of the line for a both-edges detector (see edge_irq_handler). */
  level: number;
  req_seqno: number;
  line_seqno: number;
  debounce_period_us: number;
  /** The software debouncer runs the line (`sw_debounced`). */
  sw_debounced: boolean;
  /** The debounced physical level (`level`). */
  level_debounced: number;
  /** Fires once the line has been quiet for the period (`work`). */
  readonly work: delayed_work;
}

/** A line request and its file (`struct linereq`). */
interface linereq {
  readonly gdev: gpio_device;
  readonly label: string | undefined;
  readonly lines: line[];
  readonly wait: ReturnType<typeof DECLARE_WAIT_QUEUE_HEAD>;
  readonly events: gpio_v2_line_event[];
  readonly event_buffer_size: number;
  seqno: number;
  readonly unregistered: () => void;
}

function gpio_v2_line_config_flags(lc: gpio_v2_line_config, line_idx: number): number {
  for (const ca of lc.attrs) {
    if (ca.attr.id === GPIO_V2_LINE_ATTR_ID_FLAGS && (ca.mask >> BigInt(line_idx)) & 1n) {
      return Number(ca.attr.value & 0xffffffffn);
    }
  }
  return Number(lc.flags & 0xffffffffn);
}

function gpio_v2_line_config_output_value(lc: gpio_v2_line_config, line_idx: number): number {
  for (const ca of lc.attrs) {
    if (ca.attr.id === GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES && (ca.mask >> BigInt(line_idx)) & 1n) {
      return Number((ca.attr.value >> BigInt(line_idx)) & 1n);
    }
  }
  return 0;
}

function gpio_v2_line_config_debounce_period(lc: gpio_v2_line_config, line_idx: number): number {
  for (const ca of lc.attrs) {
    if (ca.attr.id === GPIO_V2_LINE_ATTR_ID_DEBOUNCE && (ca.mask >> BigInt(line_idx)) & 1n) {
      return Number(ca.attr.value);
    }
  }
  return 0;
}

/** `gpio_v2_line_flags_validate()`: the kernel's rules on contradictory flags. */
function gpio_v2_line_flags_validate(flags: number, high: bigint): number {
  if (high !== 0n || flags & ~GPIO_V2_LINE_VALID_FLAGS) return -EINVAL;
  if (flags & GPIO_V2_LINE_FLAG_INPUT && flags & GPIO_V2_LINE_FLAG_OUTPUT) return -EINVAL;
  if (flags & GPIO_V2_LINE_FLAG_OPEN_DRAIN && flags & GPIO_V2_LINE_FLAG_OPEN_SOURCE) return -EINVAL;
  if (flags & GPIO_V2_LINE_EDGE_FLAGS && !(flags & GPIO_V2_LINE_FLAG_INPUT)) return -EINVAL;
  if (flags & GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME && flags & GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE) {
    return -EINVAL;
  }
  // No hardware timestamp engine: the kernel without CONFIG_HTE says so.
  if (flags & GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE) return -EOPNOTSUPP;
  if (flags & GPIO_V2_LINE_DRIVE_FLAGS && !(flags & GPIO_V2_LINE_FLAG_OUTPUT)) return -EINVAL;
  if (flags & GPIO_V2_LINE_BIAS_FLAGS && !(flags & GPIO_V2_LINE_DIRECTION_FLAGS)) return -EINVAL;
  const bias = flags & GPIO_V2_LINE_BIAS_FLAGS;
  if (bias & (bias - 1)) return -EINVAL;
  return 0;
}

/** `gpio_v2_line_config_validate()`: every line's effective flags must be valid. */
function gpio_v2_line_config_validate(lc: gpio_v2_line_config, num_lines: number): number {
  for (let i = 0; i < num_lines; i++) {
    let high = lc.flags >> 32n;
    for (const ca of lc.attrs) {
      if (ca.attr.id === GPIO_V2_LINE_ATTR_ID_FLAGS && (ca.mask >> BigInt(i)) & 1n) {
        high = ca.attr.value >> 32n;
        break;
      }
    }
    const ret = gpio_v2_line_flags_validate(gpio_v2_line_config_flags(lc, i), high);
    if (ret) return ret;
  }
  return 0;
}

/** `gpio_v2_line_config_flags_to_desc_flags()`. */
function flags_to_desc(flags: number, desc: gpio_desc): void {
  const map: [number, number][] = [
    [GPIO_V2_LINE_FLAG_ACTIVE_LOW, FLAG_ACTIVE_LOW],
    [GPIO_V2_LINE_FLAG_OPEN_DRAIN, FLAG_OPEN_DRAIN],
    [GPIO_V2_LINE_FLAG_OPEN_SOURCE, FLAG_OPEN_SOURCE],
    [GPIO_V2_LINE_FLAG_EDGE_RISING, FLAG_EDGE_RISING],
    [GPIO_V2_LINE_FLAG_EDGE_FALLING, FLAG_EDGE_FALLING],
    [GPIO_V2_LINE_FLAG_BIAS_PULL_UP, FLAG_PULL_UP],
    [GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN, FLAG_PULL_DOWN],
    [GPIO_V2_LINE_FLAG_BIAS_DISABLED, FLAG_BIAS_DISABLE],
  ];
  for (const [uflag, dflag] of map) {
    if (flags & uflag) desc.flags |= dflag;
    else desc.flags &= ~dflag;
  }
  if (flags & GPIO_V2_LINE_FLAG_OUTPUT) desc.flags |= FLAG_IS_OUT;
  else if (flags & GPIO_V2_LINE_FLAG_INPUT) desc.flags &= ~FLAG_IS_OUT;
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
  const debounce = debounce_of.get(desc) ?? 0;
  if (debounce) attrs.push({ id: GPIO_V2_LINE_ATTR_ID_DEBOUNCE, value: BigInt(debounce) });
  return encode_gpio_v2_line_info({
    name: desc.name ?? '',
    consumer: desc.label ?? '',
    offset,
    flags: BigInt(flags),
    attrs,
  });
}

/**
 * The debounce period a request configured on a line. Recorded and reported by
 * GPIO_V2_GET_LINEINFO_IOCTL; the simulated lines do not bounce, so the edge
 * detector does not filter.
 */
const debounce_of = new WeakMap<gpio_desc, number>();

function get_user_struct(arg: number, size: number): Uint8Array | null {
  const b = user_read_bytes(arg, size);
  return b.length === size ? b : null;
}

function put_user_struct(arg: number, b: Uint8Array): number {
  return user_write_bytes(arg, b) === b.length ? 0 : -EFAULT;
}

function linereq_put_event(lr: linereq, le: gpio_v2_line_event): void {
  if (lr.events.length >= lr.event_buffer_size) {
    lr.events.shift();
    pr_debug('event FIFO is full - event dropped\n');
  }
  lr.events.push(le);
  wake_up_all(lr.wait);
}

/**
 * The hard handler of an edge detector (`edge_irq_handler()`): takes the
 * timestamp as close to the edge as possible and wakes the thread. A both-edges
 * detector also samples the line here — the kernel samples it in the thread,
 * where a press and release quicker than the thread can both read as released;
 * the simulated chips never sleep, so reading them in hard context is safe.
 */
function edge_irq_handler(_irq: number, p: unknown): number {
  const l = p as line;
  l.timestamp_ns = BigInt(ktime_get_ns());
  if ((l.edflags & GPIO_V2_LINE_EDGE_FLAGS) === GPIO_V2_LINE_EDGE_FLAGS) {
    l.level = gpiod_get_value(l.desc);
  }
  if (l.req.lines.length !== 1) l.req_seqno = ++l.req.seqno;
  return IRQ_WAKE_THREAD;
}

/** The thread of an edge detector (`edge_irq_thread()`): queues the event. */
function edge_irq_thread(_irq: number, p: unknown): number {
  const l = p as line;
  const lr = l.req;
  let timestamp_ns = l.timestamp_ns;
  if (!timestamp_ns) {
    timestamp_ns = BigInt(ktime_get_ns());
    if (lr.lines.length !== 1) l.req_seqno = ++lr.seqno;
  }
  l.timestamp_ns = 0n;
  let id: number;
  switch (l.edflags & GPIO_V2_LINE_EDGE_FLAGS) {
    case GPIO_V2_LINE_EDGE_FLAGS:
      id = l.level ? GPIO_V2_LINE_EVENT_RISING_EDGE : GPIO_V2_LINE_EVENT_FALLING_EDGE;
      break;
    case GPIO_V2_LINE_FLAG_EDGE_RISING:
      id = GPIO_V2_LINE_EVENT_RISING_EDGE;
      break;
    case GPIO_V2_LINE_FLAG_EDGE_FALLING:
      id = GPIO_V2_LINE_EVENT_FALLING_EDGE;
      break;
    default:
      return IRQ_NONE;
  }
  l.line_seqno += 1;
  linereq_put_event(lr, {
    timestamp_ns,
    id,
    offset: gpio_chip_hwgpio(l.desc),
    seqno: lr.lines.length === 1 ? l.line_seqno : l.req_seqno,
    line_seqno: l.line_seqno,
  });
  return IRQ_HANDLED;
}

function edge_detector_stop(l: line): void {
  if (l.irq) {
    free_irq(l.irq, l);
    l.irq = 0;
  }
  cancel_delayed_work(l.work);
  l.sw_debounced = false;
  l.edflags = 0;
}

/** `debounce_irq_handler()`: every edge pushes the debouncer's deadline back. */
function debounce_irq_handler(_irq: number, p: unknown): number {
  const l = p as line;
  mod_delayed_work(system_wq, l.work, usecs_to_jiffies(l.debounce_period_us));
  return IRQ_HANDLED;
}

/**
 * `debounce_work_func()`: the line has been quiet for the period; report the
 * settled level if it changed and the requested edges cover it.
 */
function debounce_work_func(l: line): void {
  let level = gpiod_get_raw_value(l.desc);
  if (level < 0) {
    pr_debug('debouncer failed to read line value\n');
    return;
  }
  if (l.level_debounced === level) return;
  l.level_debounced = level;
  const eflags = l.edflags & GPIO_V2_LINE_EDGE_FLAGS;
  if (!eflags) return;
  if (l.edflags & GPIO_V2_LINE_FLAG_ACTIVE_LOW) level = level ? 0 : 1;
  if (
    (eflags === GPIO_V2_LINE_FLAG_EDGE_RISING && !level) ||
    (eflags === GPIO_V2_LINE_FLAG_EDGE_FALLING && level)
  ) {
    return;
  }
  const lr = l.req;
  l.line_seqno += 1;
  linereq_put_event(lr, {
    timestamp_ns: BigInt(ktime_get_ns()),
    id: level ? GPIO_V2_LINE_EVENT_RISING_EDGE : GPIO_V2_LINE_EVENT_FALLING_EDGE,
    offset: gpio_chip_hwgpio(l.desc),
    seqno: lr.lines.length === 1 ? l.line_seqno : ++lr.seqno,
    line_seqno: l.line_seqno,
  });
}

/**
 * `debounce_setup()`: no chip here debounces in hardware, so an interrupt on
 * both edges feeds the software debouncer.
 */
function debounce_setup(l: line, debounce_period_us: number): number {
  const level = gpiod_get_raw_value(l.desc);
  if (level < 0) return level;
  const irq = gpiod_to_irq(l.desc);
  if (irq < 0) return -ENXIO;
  const ret = request_irq(
    irq,
    debounce_irq_handler,
    IRQF_TRIGGER_FALLING | IRQF_TRIGGER_RISING,
    l.req.label ?? 'gpio-line',
    l,
  );
  if (ret) return ret;
  l.irq = irq;
  l.debounce_period_us = debounce_period_us;
  l.level_debounced = level;
  l.sw_debounced = true;
  return 0;
}

/**
 * `edge_detector_setup()`: a threaded irq on the line for the requested edges, or
 * the software debouncer when a debounce period is configured.
 */
function edge_detector_setup(l: line, edflags: number, debounce_period_us: number): number {
  const eflags = edflags & GPIO_V2_LINE_EDGE_FLAGS;
  l.edflags = edflags;
  if (debounce_period_us) {
    const ret = debounce_setup(l, debounce_period_us);
    if (ret) return ret;
  }
  // Detection off, or the debouncer reports the edges.
  if (!eflags || l.sw_debounced) return 0;
  const irq = gpiod_to_irq(l.desc);
  if (irq < 0) return -ENXIO;
  const active_low = (l.desc.flags & FLAG_ACTIVE_LOW) !== 0;
  let irqflags = IRQF_ONESHOT;
  if (eflags & GPIO_V2_LINE_FLAG_EDGE_RISING) {
    irqflags |= active_low ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING;
  }
  if (eflags & GPIO_V2_LINE_FLAG_EDGE_FALLING) {
    irqflags |= active_low ? IRQF_TRIGGER_RISING : IRQF_TRIGGER_FALLING;
  }
  const ret = request_threaded_irq(
    irq,
    edge_irq_handler,
    edge_irq_thread,
    irqflags,
    l.req.label ?? 'gpio-line',
    l,
  );
  if (ret) return ret;
  l.irq = irq;
  return 0;
}

/** `edge_detector_update()`: restarts the detector when the edges or the period changed. */
function edge_detector_update(l: line, edflags: number, debounce_period_us: number): number {
  if (l.edflags === edflags && l.debounce_period_us === debounce_period_us) return 0;
  edge_detector_stop(l);
  l.debounce_period_us = 0;
  return edge_detector_setup(l, edflags, debounce_period_us);
}

function linereq_get_values(lr: linereq, arg: number): number {
  const raw = get_user_struct(arg, GPIO_V2_LINE_VALUES_SIZE);
  if (!raw) return -EFAULT;
  const lv = decode_gpio_v2_line_values(raw);
  const which: number[] = [];
  for (let i = 0; i < lr.lines.length; i++) if ((lv.mask >> BigInt(i)) & 1n) which.push(i);
  if (which.length === 0) return -EINVAL;
  const vals: number[] = [];
  const ret = gpiod_get_array_value(
    which.map((i) => lr.lines[i]!.desc),
    vals,
  );
  if (ret) return ret;
  // A debounced line reads as the debouncer last saw it (`debounced_value()`).
  which.forEach((i, k) => {
    const l = lr.lines[i]!;
    if (!l.sw_debounced) return;
    const active_low = l.desc.flags & FLAG_ACTIVE_LOW ? 1 : 0;
    vals[k] = l.level_debounced ^ active_low;
  });
  let bits = 0n;
  which.forEach((i, k) => {
    if (vals[k]) bits |= 1n << BigInt(i);
  });
  return put_user_struct(arg, encode_gpio_v2_line_values({ bits, mask: lv.mask }));
}

function linereq_set_values(lr: linereq, arg: number): number {
  const raw = get_user_struct(arg, GPIO_V2_LINE_VALUES_SIZE);
  if (!raw) return -EFAULT;
  const lv = decode_gpio_v2_line_values(raw);
  const descs: gpio_desc[] = [];
  const vals: number[] = [];
  for (let i = 0; i < lr.lines.length; i++) {
    if (!((lv.mask >> BigInt(i)) & 1n)) continue;
    const desc = lr.lines[i]!.desc;
    if (!(desc.flags & FLAG_IS_OUT)) return -EPERM;
    descs.push(desc);
    vals.push(Number((lv.bits >> BigInt(i)) & 1n));
  }
  if (descs.length === 0) return -EINVAL;
  return gpiod_set_array_value(descs, vals);
}

/** Applies a line's configuration: direction, value and edge detection. */
function line_apply_config(l: line, lc: gpio_v2_line_config, i: number): number {
  const flags = gpio_v2_line_config_flags(lc, i);
  flags_to_desc(flags, l.desc);
  const debounce = gpio_v2_line_config_debounce_period(lc, i);
  debounce_of.set(l.desc, debounce);
  if (flags & GPIO_V2_LINE_FLAG_OUTPUT) {
    edge_detector_stop(l);
    l.debounce_period_us = 0;
    return gpiod_direction_output(l.desc, gpio_v2_line_config_output_value(lc, i));
  }
  if (flags & GPIO_V2_LINE_FLAG_INPUT) {
    const ret = gpiod_direction_input(l.desc);
    if (ret) return ret;
    return edge_detector_update(
      l,
      flags & (GPIO_V2_LINE_EDGE_FLAGS | GPIO_V2_LINE_FLAG_ACTIVE_LOW),
      debounce,
    );
  }
  return 0;
}

function linereq_set_config(lr: linereq, arg: number): number {
  const raw = get_user_struct(arg, GPIO_V2_LINE_CONFIG_SIZE);
  if (!raw) return -EFAULT;
  const lc = decode_gpio_v2_line_config(raw);
  if (!lc) return -EINVAL;
  const ret = gpio_v2_line_config_validate(lc, lr.lines.length);
  if (ret) return ret;
  for (let i = 0; i < lr.lines.length; i++) {
    const r = line_apply_config(lr.lines[i]!, lc, i);
    if (r) return r;
  }
  return 0;
}

function linereq_ioctl(filp: file, cmd: number, arg: number): number {
  const lr = filp.private_data as linereq;
  if (!lr.gdev.chip) return -ENODEV;
  switch (cmd >>> 0) {
    case GPIO_V2_LINE_GET_VALUES_IOCTL >>> 0:
      return linereq_get_values(lr, arg);
    case GPIO_V2_LINE_SET_VALUES_IOCTL >>> 0:
      return linereq_set_values(lr, arg);
    case GPIO_V2_LINE_SET_CONFIG_IOCTL >>> 0:
      return linereq_set_config(lr, arg);
    default:
      return -EINVAL;
  }
}

function linereq_poll(filp: file, wait: poll_table | null): number {
  const lr = filp.private_data as linereq;
  if (!lr.gdev.chip) return EPOLLHUP | EPOLLERR;
  poll_wait(filp, lr.wait, wait);
  return lr.events.length > 0 ? EPOLLIN | EPOLLRDNORM : 0;
}

async function linereq_read(
  filp: file,
  buf: number,
  count: number,
  _ppos: loff_ref,
): Promise<number> {
  const lr = filp.private_data as linereq;
  if (!lr.gdev.chip) return -ENODEV;
  if (count < GPIO_V2_LINE_EVENT_SIZE) return -EINVAL;
  let bytes_read = 0;
  do {
    if (lr.events.length === 0) {
      if (bytes_read) return bytes_read;
      if (filp.f_flags & O_NONBLOCK) return -EAGAIN;
      const ret = await wait_event_interruptible(
        lr.wait,
        () => lr.events.length > 0 || !lr.gdev.chip,
      );
      if (ret) return ret;
      // Woken by the chip going away: the request is dead.
      if (!lr.gdev.chip) return -ENODEV;
    }
    const le = lr.events.shift()!;
    if (
      user_write_bytes(buf + bytes_read, encode_gpio_v2_line_event(le)) !== GPIO_V2_LINE_EVENT_SIZE
    ) {
      return -EFAULT;
    }
    bytes_read += GPIO_V2_LINE_EVENT_SIZE;
  } while (count >= bytes_read + GPIO_V2_LINE_EVENT_SIZE);
  return bytes_read;
}

/** `linereq_free()`: edge detectors off, lines released, the gpio_device let go. */
function linereq_free(lr: linereq): void {
  lr.gdev.notify.delete(lr.unregistered);
  for (const l of lr.lines) {
    edge_detector_stop(l);
    debounce_of.delete(l.desc);
    gpiod_free(l.desc);
  }
  put_device(lr.gdev.dev);
}

function linereq_release(_inode: inode, filp: file): number {
  linereq_free(filp.private_data as linereq);
  return 0;
}

const line_fileops: file_operations = {
  release: linereq_release,
  read: linereq_read,
  poll: linereq_poll,
  unlocked_ioctl: linereq_ioctl,
};

/** `linereq_create()`: GPIO_V2_GET_LINE_IOCTL. */
function linereq_create(gdev: gpio_device, arg: number): number {
  const raw = get_user_struct(arg, GPIO_V2_LINE_REQUEST_SIZE);
  if (!raw) return -EFAULT;
  const { request: ulr, num_lines, padding_ok } = decode_gpio_v2_line_request(raw);
  if (num_lines === 0 || num_lines > GPIO_V2_LINES_MAX || !ulr) return -EINVAL;
  if (!padding_ok) return -EINVAL;
  const lc = ulr.config;
  let ret = gpio_v2_line_config_validate(lc, num_lines);
  if (ret) return ret;
  const lr: linereq = {
    gdev,
    label: ulr.consumer || undefined,
    lines: [],
    wait: DECLARE_WAIT_QUEUE_HEAD(),
    events: [],
    event_buffer_size: Math.min(ulr.event_buffer_size || num_lines * 16, GPIO_V2_LINES_MAX * 16),
    seqno: 0,
    // The chip is going: its irq domain goes with it, so the edge detectors stop now.
    unregistered: () => {
      for (const l of lr.lines) edge_detector_stop(l);
      wake_up_all(lr.wait);
    },
  };
  get_device(gdev.dev);
  for (let i = 0; i < num_lines; i++) {
    const desc = gdev.descs[ulr.offsets[i]!];
    if (!desc) {
      ret = -EINVAL;
      break;
    }
    ret = gpiod_request(desc, lr.label);
    if (ret === -EPROBE_DEFER) ret = -ENODEV;
    if (ret) break;
    const l: line = {
      desc,
      req: lr,
      edflags: 0,
      irq: 0,
      timestamp_ns: 0n,
      level: 0,
      req_seqno: 0,
      line_seqno: 0,
      debounce_period_us: 0,
      sw_debounced: false,
      level_debounced: 0,
      work: new delayed_work(),
    };
    INIT_DELAYED_WORK(l.work, () => debounce_work_func(l), 'debounce_work_func');
    lr.lines.push(l);
    ret = line_apply_config(l, lc, i);
    if (ret) break;
  }
  if (ret) {
    linereq_free(lr);
    return ret;
  }
  const fd = get_unused_fd_flags(O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    linereq_free(lr);
    return fd;
  }
  const filp = anon_inode_getfile('gpio-line', line_fileops, lr, O_RDONLY | O_CLOEXEC);
  raw.set(new Uint8Array(new Int32Array([fd]).buffer), 588);
  if (put_user_struct(arg, raw)) {
    put_unused_fd(fd);
    linereq_free(lr);
    return -EFAULT;
  }
  gdev.notify.add(lr.unregistered);
  fd_install(fd, filp);
  pr_debug('%s: registered chardev handle for %d lines\n', dev_name(gdev.dev), num_lines);
  return 0;
}

/** The chip file's state (`struct gpio_chardev_data`). */
interface gpio_chardev_data {
  readonly gdev: gpio_device;
}

function lineinfo_get(gdev: gpio_device, arg: number): number {
  const raw = get_user_struct(arg, GPIO_V2_LINE_INFO_SIZE);
  if (!raw) return -EFAULT;
  // Everything but the offset is reserved on the way in and must be zero.
  const info = decode_gpio_v2_line_info(raw);
  if (raw.subarray(240, 256).some((x) => x !== 0)) return -EINVAL;
  const desc = gdev.descs[info.offset];
  if (!desc) return -EINVAL;
  return put_user_struct(arg, gpio_desc_to_lineinfo(desc, info.offset));
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
      return lineinfo_get(gdev, arg);
    case GPIO_V2_GET_LINE_IOCTL >>> 0:
      return linereq_create(gdev, arg);
    default:
      return -EINVAL;
  }
}

/** `gpio_chrdev_open()`: refuses a chip that is gone; pins the gpio_device. */
function gpio_chrdev_open(node: inode, filp: file): number {
  const gdev = [...chrdevs].find(([c]) => c.dev === node.i_rdev)?.[1];
  if (!gdev?.chip) return -ENODEV;
  get_device(gdev.dev);
  filp.private_data = { gdev } satisfies gpio_chardev_data;
  return 0;
}

function gpio_chrdev_release(_node: inode, filp: file): number {
  put_device((filp.private_data as gpio_chardev_data).gdev.dev);
  return 0;
}

function gpio_chrdev_poll(filp: file, _wait: poll_table | null): number {
  return (filp.private_data as gpio_chardev_data).gdev.chip ? 0 : EPOLLHUP | EPOLLERR;
}

const gpio_fileops: file_operations = {
  open: gpio_chrdev_open,
  release: gpio_chrdev_release,
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
