/**
 * The GPIO character device ABI (include/uapi/linux/gpio.h, version 2): ioctl
 * numbers, flags and the byte layouts of its structures, with encoders and
 * decoders that user programs (the sim's `gpio*` tools) and the kernel side share.
 * Every structure is little-endian with the C layout of a 64-bit build; sizes
 * are checked by the tests against the kernel's (`gpio_v2_line_event` is 48
 * bytes, `gpio_v2_line_request` 592).
 *
 * @example
 * ```ts
 * import { GPIO_V2_GET_LINE_IOCTL, GPIO_V2_LINE_EVENT_SIZE, decode_gpio_v2_line_event, encode_gpio_v2_line_event } from '@rfl/kernel';
 * GPIO_V2_GET_LINE_IOCTL.toString(16) // => 'c250b407'
 * const bytes = encode_gpio_v2_line_event({ timestamp_ns: 5n, id: 1, offset: 3, seqno: 1, line_seqno: 1 });
 * bytes.length === GPIO_V2_LINE_EVENT_SIZE // => true
 * decode_gpio_v2_line_event(bytes).offset // => 3
 * ```
 *
 * @module
 */

import { _IOR, _IOWR } from '../fs/ioctl.js';

/** Size of name and label arrays (`GPIO_MAX_NAME_SIZE`). */
export const GPIO_MAX_NAME_SIZE = 32;
/** Lines per request (`GPIO_V2_LINES_MAX`). */
export const GPIO_V2_LINES_MAX = 64;
/** Attributes per configuration (`GPIO_V2_LINE_NUM_ATTRS_MAX`). */
export const GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

// enum gpio_v2_line_flag (bits of a __u64; all fit in 32 bits).
export const GPIO_V2_LINE_FLAG_USED = 1 << 0;
export const GPIO_V2_LINE_FLAG_ACTIVE_LOW = 1 << 1;
export const GPIO_V2_LINE_FLAG_INPUT = 1 << 2;
export const GPIO_V2_LINE_FLAG_OUTPUT = 1 << 3;
export const GPIO_V2_LINE_FLAG_EDGE_RISING = 1 << 4;
export const GPIO_V2_LINE_FLAG_EDGE_FALLING = 1 << 5;
export const GPIO_V2_LINE_FLAG_OPEN_DRAIN = 1 << 6;
export const GPIO_V2_LINE_FLAG_OPEN_SOURCE = 1 << 7;
export const GPIO_V2_LINE_FLAG_BIAS_PULL_UP = 1 << 8;
export const GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN = 1 << 9;
export const GPIO_V2_LINE_FLAG_BIAS_DISABLED = 1 << 10;
export const GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME = 1 << 11;
export const GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE = 1 << 12;

// enum gpio_v2_line_attr_id.
export const GPIO_V2_LINE_ATTR_ID_FLAGS = 1;
export const GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2;
export const GPIO_V2_LINE_ATTR_ID_DEBOUNCE = 3;

// enum gpio_v2_line_event_id.
export const GPIO_V2_LINE_EVENT_RISING_EDGE = 1;
export const GPIO_V2_LINE_EVENT_FALLING_EDGE = 2;

// enum gpio_v2_line_changed_type.
export const GPIO_V2_LINE_CHANGED_REQUESTED = 1;
export const GPIO_V2_LINE_CHANGED_RELEASED = 2;
export const GPIO_V2_LINE_CHANGED_CONFIG = 3;

/** `sizeof(struct gpiochip_info)`. */
export const GPIOCHIP_INFO_SIZE = 68;
/** `sizeof(struct gpio_v2_line_attribute)`. */
export const GPIO_V2_LINE_ATTRIBUTE_SIZE = 16;
/** `sizeof(struct gpio_v2_line_config_attribute)`. */
export const GPIO_V2_LINE_CONFIG_ATTRIBUTE_SIZE = 24;
/** `sizeof(struct gpio_v2_line_config)`. */
export const GPIO_V2_LINE_CONFIG_SIZE = 272;
/** `sizeof(struct gpio_v2_line_request)`. */
export const GPIO_V2_LINE_REQUEST_SIZE = 592;
/** `sizeof(struct gpio_v2_line_info)`. */
export const GPIO_V2_LINE_INFO_SIZE = 256;
/** `sizeof(struct gpio_v2_line_info_changed)`. */
export const GPIO_V2_LINE_INFO_CHANGED_SIZE = 288;
/** `sizeof(struct gpio_v2_line_values)`. */
export const GPIO_V2_LINE_VALUES_SIZE = 16;
/** `sizeof(struct gpio_v2_line_event)`. */
export const GPIO_V2_LINE_EVENT_SIZE = 48;

export const GPIO_GET_CHIPINFO_IOCTL = _IOR(0xb4, 0x01, GPIOCHIP_INFO_SIZE);
export const GPIO_GET_LINEINFO_UNWATCH_IOCTL = _IOWR(0xb4, 0x0c, 4);
export const GPIO_V2_GET_LINEINFO_IOCTL = _IOWR(0xb4, 0x05, GPIO_V2_LINE_INFO_SIZE);
export const GPIO_V2_GET_LINEINFO_WATCH_IOCTL = _IOWR(0xb4, 0x06, GPIO_V2_LINE_INFO_SIZE);
export const GPIO_V2_GET_LINE_IOCTL = _IOWR(0xb4, 0x07, GPIO_V2_LINE_REQUEST_SIZE);
export const GPIO_V2_LINE_SET_CONFIG_IOCTL = _IOWR(0xb4, 0x0d, GPIO_V2_LINE_CONFIG_SIZE);
export const GPIO_V2_LINE_GET_VALUES_IOCTL = _IOWR(0xb4, 0x0e, GPIO_V2_LINE_VALUES_SIZE);
export const GPIO_V2_LINE_SET_VALUES_IOCTL = _IOWR(0xb4, 0x0f, GPIO_V2_LINE_VALUES_SIZE);

/** `struct gpiochip_info`. */
export interface gpiochip_info {
  name: string;
  label: string;
  lines: number;
}

/** `struct gpio_v2_line_attribute`: `value` is the flags, the output values or the debounce period. */
export interface gpio_v2_line_attribute {
  id: number;
  value: bigint;
}

/** `struct gpio_v2_line_config_attribute`. */
export interface gpio_v2_line_config_attribute {
  attr: gpio_v2_line_attribute;
  mask: bigint;
}

/** `struct gpio_v2_line_config`. */
export interface gpio_v2_line_config {
  flags: bigint;
  attrs: gpio_v2_line_config_attribute[];
}

/** `struct gpio_v2_line_request`. */
export interface gpio_v2_line_request {
  offsets: number[];
  consumer: string;
  config: gpio_v2_line_config;
  event_buffer_size: number;
  fd: number;
}

/** `struct gpio_v2_line_info`. */
export interface gpio_v2_line_info {
  name: string;
  consumer: string;
  offset: number;
  flags: bigint;
  attrs: gpio_v2_line_attribute[];
}

/** `struct gpio_v2_line_values`. */
export interface gpio_v2_line_values {
  bits: bigint;
  mask: bigint;
}

/** `struct gpio_v2_line_event`. */
export interface gpio_v2_line_event {
  timestamp_ns: bigint;
  id: number;
  offset: number;
  seqno: number;
  line_seqno: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A `char[GPIO_MAX_NAME_SIZE]`: truncated to 31 bytes and NUL-terminated (`strscpy`). */
function put_name(b: Uint8Array, at: number, s: string): void {
  const bytes = enc.encode(s).subarray(0, GPIO_MAX_NAME_SIZE - 1);
  b.fill(0, at, at + GPIO_MAX_NAME_SIZE);
  b.set(bytes, at);
}

function get_name(b: Uint8Array, at: number): string {
  const field = b.subarray(at, at + GPIO_MAX_NAME_SIZE);
  const nul = field.indexOf(0);
  return dec.decode(nul < 0 ? field : field.subarray(0, nul));
}

function put_attr(v: DataView, at: number, a: gpio_v2_line_attribute): void {
  v.setUint32(at, a.id, true);
  v.setUint32(at + 4, 0, true);
  if (a.id === GPIO_V2_LINE_ATTR_ID_DEBOUNCE) {
    v.setUint32(at + 8, Number(a.value), true);
    v.setUint32(at + 12, 0, true);
  } else {
    v.setBigUint64(at + 8, a.value, true);
  }
}

function get_attr(v: DataView, at: number): gpio_v2_line_attribute {
  const id = v.getUint32(at, true);
  const value =
    id === GPIO_V2_LINE_ATTR_ID_DEBOUNCE
      ? BigInt(v.getUint32(at + 8, true))
      : v.getBigUint64(at + 8, true);
  return { id, value };
}

export function encode_gpiochip_info(info: gpiochip_info): Uint8Array {
  const b = new Uint8Array(GPIOCHIP_INFO_SIZE);
  put_name(b, 0, info.name);
  put_name(b, 32, info.label);
  view(b).setUint32(64, info.lines, true);
  return b;
}

export function decode_gpiochip_info(b: Uint8Array): gpiochip_info {
  return { name: get_name(b, 0), label: get_name(b, 32), lines: view(b).getUint32(64, true) };
}

/** Writes a `gpio_v2_line_config` at `at` of `b`. */
function put_config(b: Uint8Array, at: number, c: gpio_v2_line_config): void {
  const v = view(b);
  v.setBigUint64(at, c.flags, true);
  v.setUint32(at + 8, c.attrs.length, true);
  c.attrs.slice(0, GPIO_V2_LINE_NUM_ATTRS_MAX).forEach((ca, i) => {
    const o = at + 32 + i * GPIO_V2_LINE_CONFIG_ATTRIBUTE_SIZE;
    put_attr(v, o, ca.attr);
    v.setBigUint64(o + 16, ca.mask, true);
  });
}

/** The configuration, or null when a reserved field is not zero or num_attrs is too large. */
function get_config(b: Uint8Array, at: number): gpio_v2_line_config | null {
  const v = view(b);
  const num_attrs = v.getUint32(at + 8, true);
  if (num_attrs > GPIO_V2_LINE_NUM_ATTRS_MAX) return null;
  if (b.subarray(at + 12, at + 32).some((x) => x !== 0)) return null;
  const attrs: gpio_v2_line_config_attribute[] = [];
  for (let i = 0; i < num_attrs; i++) {
    const o = at + 32 + i * GPIO_V2_LINE_CONFIG_ATTRIBUTE_SIZE;
    if (v.getUint32(o + 4, true) !== 0) return null;
    attrs.push({ attr: get_attr(v, o), mask: v.getBigUint64(o + 16, true) });
  }
  return { flags: v.getBigUint64(at, true), attrs };
}

export function encode_gpio_v2_line_config(c: gpio_v2_line_config): Uint8Array {
  const b = new Uint8Array(GPIO_V2_LINE_CONFIG_SIZE);
  put_config(b, 0, c);
  return b;
}

/** Decodes a configuration; null when its reserved fields are not zero. */
export function decode_gpio_v2_line_config(b: Uint8Array): gpio_v2_line_config | null {
  return get_config(b, 0);
}

export function encode_gpio_v2_line_request(r: gpio_v2_line_request): Uint8Array {
  const b = new Uint8Array(GPIO_V2_LINE_REQUEST_SIZE);
  const v = view(b);
  r.offsets.slice(0, GPIO_V2_LINES_MAX).forEach((o, i) => {
    v.setUint32(i * 4, o, true);
  });
  put_name(b, 256, r.consumer);
  put_config(b, 288, r.config);
  v.setUint32(560, r.offsets.length, true);
  v.setUint32(564, r.event_buffer_size, true);
  v.setInt32(588, r.fd, true);
  return b;
}

/** A request as the kernel reads it: `num_lines` and raw padding are checked by the caller. */
export interface gpio_v2_line_request_raw {
  readonly request: gpio_v2_line_request | null;
  readonly num_lines: number;
  readonly padding_ok: boolean;
}

export function decode_gpio_v2_line_request(b: Uint8Array): gpio_v2_line_request_raw {
  const v = view(b);
  const num_lines = v.getUint32(560, true);
  const padding_ok = b.subarray(568, 588).every((x) => x === 0);
  const config = get_config(b, 288);
  if (!config || num_lines > GPIO_V2_LINES_MAX) return { request: null, num_lines, padding_ok };
  const offsets: number[] = [];
  for (let i = 0; i < num_lines; i++) offsets.push(v.getUint32(i * 4, true));
  return {
    request: {
      offsets,
      consumer: get_name(b, 256),
      config,
      event_buffer_size: v.getUint32(564, true),
      fd: v.getInt32(588, true),
    },
    num_lines,
    padding_ok,
  };
}

export function encode_gpio_v2_line_info(info: gpio_v2_line_info): Uint8Array {
  const b = new Uint8Array(GPIO_V2_LINE_INFO_SIZE);
  const v = view(b);
  put_name(b, 0, info.name);
  put_name(b, 32, info.consumer);
  v.setUint32(64, info.offset, true);
  v.setUint32(68, info.attrs.length, true);
  v.setBigUint64(72, info.flags, true);
  info.attrs.slice(0, GPIO_V2_LINE_NUM_ATTRS_MAX).forEach((a, i) => {
    put_attr(v, 80 + i * GPIO_V2_LINE_ATTRIBUTE_SIZE, a);
  });
  return b;
}

export function decode_gpio_v2_line_info(b: Uint8Array): gpio_v2_line_info {
  const v = view(b);
  const n = Math.min(v.getUint32(68, true), GPIO_V2_LINE_NUM_ATTRS_MAX);
  const attrs: gpio_v2_line_attribute[] = [];
  for (let i = 0; i < n; i++) attrs.push(get_attr(v, 80 + i * GPIO_V2_LINE_ATTRIBUTE_SIZE));
  return {
    name: get_name(b, 0),
    consumer: get_name(b, 32),
    offset: v.getUint32(64, true),
    flags: v.getBigUint64(72, true),
    attrs,
  };
}

/** `struct gpio_v2_line_info_changed`. */
export interface gpio_v2_line_info_changed {
  info: gpio_v2_line_info;
  timestamp_ns: bigint;
  event_type: number;
}

export function encode_gpio_v2_line_info_changed(c: gpio_v2_line_info_changed): Uint8Array {
  const b = new Uint8Array(GPIO_V2_LINE_INFO_CHANGED_SIZE);
  b.set(encode_gpio_v2_line_info(c.info), 0);
  view(b).setBigUint64(256, c.timestamp_ns, true);
  view(b).setUint32(264, c.event_type, true);
  return b;
}

export function decode_gpio_v2_line_info_changed(b: Uint8Array): gpio_v2_line_info_changed {
  return {
    info: decode_gpio_v2_line_info(b.subarray(0, GPIO_V2_LINE_INFO_SIZE)),
    timestamp_ns: view(b).getBigUint64(256, true),
    event_type: view(b).getUint32(264, true),
  };
}

export function encode_gpio_v2_line_values(lv: gpio_v2_line_values): Uint8Array {
  const b = new Uint8Array(GPIO_V2_LINE_VALUES_SIZE);
  view(b).setBigUint64(0, lv.bits, true);
  view(b).setBigUint64(8, lv.mask, true);
  return b;
}

export function decode_gpio_v2_line_values(b: Uint8Array): gpio_v2_line_values {
  return { bits: view(b).getBigUint64(0, true), mask: view(b).getBigUint64(8, true) };
}

export function encode_gpio_v2_line_event(e: gpio_v2_line_event): Uint8Array {
  const b = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE);
  const v = view(b);
  v.setBigUint64(0, e.timestamp_ns, true);
  v.setUint32(8, e.id, true);
  v.setUint32(12, e.offset, true);
  v.setUint32(16, e.seqno, true);
  v.setUint32(20, e.line_seqno, true);
  return b;
}

export function decode_gpio_v2_line_event(b: Uint8Array): gpio_v2_line_event {
  const v = view(b);
  return {
    timestamp_ns: v.getBigUint64(0, true),
    id: v.getUint32(8, true),
    offset: v.getUint32(12, true),
    seqno: v.getUint32(16, true),
    line_seqno: v.getUint32(20, true),
  };
}
