/**
 * Line requests (`struct linereq` of drivers/gpio/gpiolib-cdev.c): what
 * GPIO_V2_GET_LINE_IOCTL creates — the claimed lines, their configuration with the
 * kernel's validation rules, and the anonymous `gpio-line` file whose ioctls read,
 * drive and reconfigure the lines and whose read() and poll() deliver edge events
 * (`line-events.ts`). Once the chip is removed every call fails with -ENODEV and
 * poll reports EPOLLHUP | EPOLLERR; release frees the lines and lets the
 * gpio_device go.
 *
 * @module
 */

import { dev_name, get_device, put_device } from '../base/device.js';
import { EFAULT, EINVAL, ENODEV, EOPNOTSUPP, EPERM, EPROBE_DEFER } from '../errno.js';
import { O_CLOEXEC, O_RDONLY } from '../fs/fcntl.js';
import { fd_install, get_unused_fd_flags, put_unused_fd } from '../fs/fdtable.js';
import { anon_inode_getfile } from '../fs/file_pseudo.js';
import type { file, file_operations, inode, loff_ref, poll_table } from '../fs/fs.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLRDNORM, poll_wait } from '../fs/select.js';
import { user_read_bytes, user_write_bytes } from '../fs/user_bytes.js';
import { DECLARE_WAIT_QUEUE_HEAD, wake_up_all } from '../locking/wait.js';
import { pr_debug } from '../printk.js';
import { read_records } from './cdev-read.js';
import {
  gpiod_direction_input_nonotify,
  gpiod_direction_output_nonotify,
  gpiod_free,
  gpiod_get_array_value,
  gpiod_line_state_notify,
  gpiod_request,
  gpiod_set_array_value,
} from './consumer.js';
import {
  FLAG_ACTIVE_LOW,
  FLAG_BIAS_DISABLE,
  FLAG_EDGE_FALLING,
  FLAG_EDGE_RISING,
  FLAG_IS_OUT,
  FLAG_OPEN_DRAIN,
  FLAG_OPEN_SOURCE,
  FLAG_PULL_DOWN,
  FLAG_PULL_UP,
  type gpio_desc,
  type gpio_device,
} from './driver.js';

import {
  edge_detector_stop,
  edge_detector_update,
  type line,
  line_alloc,
  type linereq,
} from './line-events.js';
import {
  decode_gpio_v2_line_config,
  decode_gpio_v2_line_request,
  decode_gpio_v2_line_values,
  encode_gpio_v2_line_event,
  encode_gpio_v2_line_values,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_ATTR_ID_FLAGS,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_CHANGED_CONFIG,
  GPIO_V2_LINE_CHANGED_REQUESTED,
  GPIO_V2_LINE_CONFIG_SIZE,
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
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_REQUEST_SIZE,
  GPIO_V2_LINE_SET_CONFIG_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIO_V2_LINE_VALUES_SIZE,
  GPIO_V2_LINES_MAX,
  type gpio_v2_line_config,
} from './uapi.js';

const GPIO_V2_LINE_EDGE_FLAGS = GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;
const GPIO_V2_LINE_DIRECTION_FLAGS = GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT;
const GPIO_V2_LINE_DRIVE_FLAGS = GPIO_V2_LINE_FLAG_OPEN_DRAIN | GPIO_V2_LINE_FLAG_OPEN_SOURCE;
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

/** The debounce period a request configured on each line, for GPIO_V2_GET_LINEINFO_IOCTL. */
const debounce_of = new WeakMap<gpio_desc, number>();

/** The debounce period a line request gave `desc`, 0 for none. */
export function line_debounce_period(desc: gpio_desc): number {
  return debounce_of.get(desc) ?? 0;
}

export function get_user_struct(arg: number, size: number): Uint8Array | null {
  const b = user_read_bytes(arg, size);
  return b.length === size ? b : null;
}

export function put_user_struct(arg: number, b: Uint8Array): number {
  return user_write_bytes(arg, b) === b.length ? 0 : -EFAULT;
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
    return gpiod_direction_output_nonotify(l.desc, gpio_v2_line_config_output_value(lc, i));
  }
  if (flags & GPIO_V2_LINE_FLAG_INPUT) {
    const ret = gpiod_direction_input_nonotify(l.desc);
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
    const l = lr.lines[i]!;
    const r = line_apply_config(l, lc, i);
    if (r) return r;
    gpiod_line_state_notify(l.desc, GPIO_V2_LINE_CHANGED_CONFIG);
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

function linereq_read(filp: file, buf: number, count: number, _ppos: loff_ref): Promise<number> {
  const lr = filp.private_data as linereq;
  return read_records(filp, lr, buf, count, GPIO_V2_LINE_EVENT_SIZE, encode_gpio_v2_line_event);
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
export function linereq_create(gdev: gpio_device, arg: number): number {
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
    const l = line_alloc(desc, lr);
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
  for (const l of lr.lines) gpiod_line_state_notify(l.desc, GPIO_V2_LINE_CHANGED_REQUESTED);
  fd_install(fd, filp);
  pr_debug('%s: registered chardev handle for %d lines\n', dev_name(gdev.dev), num_lines);
  return 0;
}
